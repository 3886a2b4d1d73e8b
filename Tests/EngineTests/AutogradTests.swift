import XCTest
@testable import DSEngine

final class AutogradTests: XCTestCase {
    func testGradAccumulatesAcrossBackwardCalls() throws {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
        try x.mul(x).sum().backward()
        try x.mul(3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [5, 7])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionAndRetainGraph() throws {
        let x = Tensor(shape: [], scalars: [3]).requiringGrad()
        let y = try x.mul(x)
        let z = try y.add(y).mul(y)          // 2·x⁴ → dz/dx = 8x³ = 216
        try z.backward(retainGraph: true)
        XCTAssertEqual(x.grad?.scalars, [216])
        try z.backward()
        XCTAssertEqual(x.grad?.scalars, [432])
        XCTAssertNil(z.gradNode)
    }

    func testBackwardWithGradientAndErrors() throws {
        let x = Tensor(shape: [3], scalars: [1, 2, 3]).requiringGrad()
        let y = try x.mul(2)
        XCTAssertThrowsError(try y.backward()) { e in XCTAssertTrue("\(e)".contains("one-element")) }
        try y.backward(Tensor(shape: [3], scalars: [1, 0, -1]))
        XCTAssertEqual(x.grad?.scalars, [2, 0, -2])
        XCTAssertThrowsError(try Tensor(1).backward())
        XCTAssertThrowsError(try x.mul(2).backward(Tensor(shape: [2], scalars: [1, 1])))
    }

    func testNoGradAndDetach() throws {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
        let y = try Engine.withNoGrad { try x.mul(2) }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(Engine.isGradEnabled)
        let d = x.detach()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertEqual(try x.mul(d).sum().requiresGrad, true)
        try x.mul(d).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])
    }

    func testDeepChainDoesNotRecurse() throws {
        let x = Tensor(shape: [1], scalars: [0.5]).requiringGrad()
        var y = x
        for _ in 0..<20000 { y = try y.add(0.0001) }
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1])
    }

    func testIntermediateDoesNotKeepGrad() throws {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
        let h = try x.mul(x)
        try h.sum().backward()
        XCTAssertNil(h.grad)
        XCTAssertEqual(x.grad?.scalars, [2, 4])
    }
}

final class CreationAndSafetyTests: XCTestCase {
    func testCreation() throws {
        XCTAssertEqual(try Tensor.arange(4).scalars, [0, 1, 2, 3])
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(3, 0, step: -1).scalars, [3, 2, 1])
        XCTAssertEqual(try Tensor.linspace(0, 1, 5).scalars, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(try Tensor.full([2], 7).scalars, [7, 7])
        XCTAssertEqual(try Tensor.from([1, 2, 3, 4], shape: [2, 2]).shape, [2, 2])
        XCTAssertThrowsError(try Tensor.from([1, 2, 3], shape: [2, 2]))
        XCTAssertThrowsError(try Tensor.arange(0, 1, step: 0))
    }

    func testAbsurdAllocationsAreRefused() {
        XCTAssertThrowsError(try Tensor.zeros([100000, 100000, 100])) { e in
            XCTAssertTrue("\(e)".contains("more than the limit"), "\(e)")
        }
        XCTAssertThrowsError(try Tensor.zeros([Int.max, 2])) { e in XCTAssertTrue("\(e)".contains("limit")) }
        XCTAssertThrowsError(try Tensor.zeros([1 << 30, 1 << 30, 1 << 30])) { e in XCTAssertTrue("\(e)".contains("over 2^63 elements")) }
        XCTAssertThrowsError(try Tensor.zeros([-1, 2]))
        XCTAssertThrowsError(try Tensor.ones([2, 3]).expand(to: [100000, 100000, 2, 3]))
        XCTAssertThrowsError(try Tensor(1).item() == 1 ? Tensor.zeros([3]).item() : 0)
        XCTAssertThrowsError(try Tensor.zeros([Int.max / 2, 0]))
        XCTAssertThrowsError(try Tensor.arange(0, 1e300))
        XCTAssertThrowsError(try Tensor.ones([1, 1, 2, 2]).upsampleNearest(scale: 1e300))
        XCTAssertThrowsError(try timestepEmbedding(Tensor.ones([4]), dim: Int.max / 2))
        XCTAssertNoThrow(try Tensor.randint(Int.min / 2, Int.max / 2, [3], generator: RandomGenerator(seed: 1)))
        XCTAssertThrowsError(try Tensor.ones([3]).index([.slice(start: nil, stop: nil, step: Int.min)]))
        XCTAssertEqual(try Tensor.arange(5).index([.slice(start: nil, stop: nil, step: Int.max)]).scalars, [0])
        XCTAssertEqual(try Tensor.arange(5).index([.slice(start: nil, stop: nil, step: -Int.max)]).scalars, [4])
        XCTAssertThrowsError(try Tensor.zeros([2, 0]).max())
        XCTAssertEqual(try Tensor.zeros([2, 0]).sum(axis: 1).scalars, [0, 0])
        XCTAssertThrowsError(try Tensor.ones([2, 2]).backward())
    }

    func testRandomIsSeededAndThreadIndependent() throws {
        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 1
        let a = try Tensor.randn([70001], generator: RandomGenerator(seed: 42))
        Engine.threads = 4
        let b = try Tensor.randn([70001], generator: RandomGenerator(seed: 42))
        XCTAssertEqual(a.scalars, b.scalars)
        let m = try a.mean().item(), s = try a.std().item()
        XCTAssertEqual(m, 0, accuracy: 0.02)
        XCTAssertEqual(s, 1, accuracy: 0.02)
        let g = RandomGenerator(seed: 1)
        let first = try Tensor.rand([5], generator: g), second = try Tensor.rand([5], generator: g)
        XCTAssertNotEqual(first.scalars, second.scalars)
        XCTAssertTrue(first.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        let ints = try Tensor.randint(-2, 3, [1000], generator: g)
        XCTAssertEqual(Set(ints.scalars), Set([-2, -1, 0, 1, 2]))
        XCTAssertThrowsError(try Tensor.randint(3, 3, [2], generator: g))
    }

    func testParallelKernelsMatchSerial() throws {
        let saved = Engine.threads
        defer { Engine.threads = saved }
        let x = try Tensor.randn([300, 400], generator: RandomGenerator(seed: 3))
        let b = try Tensor.randn([400], generator: RandomGenerator(seed: 4))
        Engine.threads = 1
        let serial = try x.add(b).silu().sum(axis: 0).scalars
        Engine.threads = 3
        let parallel = try x.add(b).silu().sum(axis: 0).scalars
        XCTAssertEqual(serial, parallel)
    }
}

final class EmptyTensorTests: XCTestCase {
    func testEmptyShapesDoNotCrash() throws {
        let g = RandomGenerator(seed: 1)
        XCTAssertEqual(try Tensor.rand([0], generator: g).count, 0)
        XCTAssertEqual(try Tensor.randn([3, 0], generator: g).count, 0)
        let e = try Tensor.zeros([0, 3])
        XCTAssertEqual(try e.sum(axis: 1).shape, [0])
        XCTAssertEqual(try e.sum(axis: 0).scalars, [0, 0, 0])
        XCTAssertEqual(try e.add(Tensor.ones([3])).shape, [0, 3])
        XCTAssertEqual(e.exp().count, 0)
        XCTAssertEqual(try e.softmax(axis: 1).count, 0)
        XCTAssertEqual(try e.matmul(Tensor.ones([3, 2])).shape, [0, 2])
        XCTAssertEqual(try Tensor.ones([2, 0]).matmul(Tensor.ones([0, 2])).scalars, [0, 0, 0, 0])
        XCTAssertEqual(try Tensor.linear(e, weight: Tensor.ones([2, 3]), bias: Tensor.ones([2])).shape, [0, 2])
        XCTAssertEqual(try e.cumsum(axis: 0).count, 0)
        XCTAssertEqual(try e.permute([1, 0]).shape, [3, 0])
        XCTAssertEqual(try Tensor.cat([e, Tensor.ones([1, 3])]).shape, [1, 3])
        XCTAssertEqual(try e.gather(Tensor(shape: [0], scalars: [])).shape, [0, 3])
    }
}
