import XCTest
@testable import DSEngine

final class ModuleTests: XCTestCase {
    func testStateDictNamesAndLoad() throws {
        let g = RandomGenerator(seed: 1)
        let inner = Sequential([try Conv2d(2, 4, kernelSize: 3, padding: 1, generator: g), try GroupNorm(2, 4)])
        let model = Sequential([inner, Activation.silu(), try Linear(4, 3, generator: g), try LayerNorm(3)])
        XCTAssertEqual(model.stateDict().map { $0.0 }, ["0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias",
                                                       "2.weight", "2.bias", "3.weight", "3.bias"])
        XCTAssertEqual(model.numParams, 4 * 2 * 9 + 4 + 4 + 4 + 12 + 3 + 3 + 3)
        let copy = Sequential([Sequential([try Conv2d(2, 4, kernelSize: 3, padding: 1, generator: g), try GroupNorm(2, 4)]),
                               Activation.silu(), try Linear(4, 3, generator: g), try LayerNorm(3)])
        try copy.loadState(model.stateDict())
        XCTAssertEqual(copy.parameters().map { $0.scalars }, model.parameters().map { $0.scalars })

        var bad = model.stateDict().filter { $0.0 != "2.bias" }
        bad.append(("extra.weight", Tensor(1)))
        bad[0] = ("0.0.weight", try Tensor.zeros([4, 2, 1, 1]))
        XCTAssertThrowsError(try copy.loadState(bad)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("missing keys: 2.bias"), m)
            XCTAssertTrue(m.contains("unexpected keys: extra.weight"), m)
            XCTAssertTrue(m.contains("0.0.weight: expected [4, 2, 3, 3], got [4, 2, 1, 1]"), m)
        }
        XCTAssertThrowsError(try copy.loadState(bad, strict: false))   // shape mismatch still fails
        try copy.loadState(model.stateDict().filter { $0.0 != "2.bias" }, strict: false)
    }

    func testEmbeddingLooksUpRowsAndScatterAddsGradients() throws {
        let g = RandomGenerator(seed: 3)
        let table = try Embedding(4, 3, generator: g)
        XCTAssertEqual(table.stateDict().map { $0.0 }, ["weight"])
        let w = table.weight.scalars
        let rows = try table.forward(Tensor(shape: [3], scalars: [2, 0, 2]))
        XCTAssertEqual(rows.shape, [3, 3])
        XCTAssertEqual(rows.scalars, Array(w[6..<9]) + Array(w[0..<3]) + Array(w[6..<9]))
        try rows.mul(Tensor(shape: [3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])).sum().backward()
        // row 2 is used twice: its gradient is the sum of both upstream rows
        XCTAssertEqual(table.weight.grad?.scalars, [4, 5, 6, 0, 0, 0, 8, 10, 12, 0, 0, 0])
        for bad: Float in [4, -1, 0.5] {
            XCTAssertThrowsError(try table.forward(Tensor(shape: [1], scalars: [bad])))
        }
        XCTAssertThrowsError(try Embedding(0, 3, generator: g))
    }

    func testDefaultInitBounds() throws {
        let g = RandomGenerator(seed: 2)
        let lin = try Linear(16, 8, generator: g)
        XCTAssertTrue(lin.weight.scalars.allSatisfy { abs($0) <= 0.25 })
        XCTAssertGreaterThan(lin.weight.scalars.map(abs).max() ?? 0, 0.2)
        XCTAssertTrue(lin.bias?.scalars.allSatisfy { abs($0) <= 0.25 } ?? false)
        let conv = try Conv2d(4, 2, kernelSize: 3, generator: g)
        XCTAssertTrue(conv.weight.scalars.allSatisfy { abs($0) <= 1 / 6 })
        let gn = try GroupNorm(2, 4)
        XCTAssertEqual(gn.parameters().map { $0.scalars }, [[1, 1, 1, 1], [0, 0, 0, 0]])
    }

    func testTrainingLoopReducesLoss() throws {
        let g = RandomGenerator(seed: 3)
        let model = Sequential([try Linear(2, 32, generator: g), Activation.silu(), try Linear(32, 1, generator: g)])
        let x = try Tensor.randn([64, 2], generator: g)
        let y = try x.index([.all, .index(0)]).mul(x.index([.all, .index(1)])).reshape([64, 1])
        let opt = try Adam(model.parameters(), lr: 0.01)
        let ema = try EMA(model, decay: 0.9)
        var first: Float = 0, last: Float = 0
        for step in 0..<200 {
            opt.zeroGrad()
            let loss = try Tensor.mse(model(x), y)
            try loss.backward()
            clipGradNorm(model.parameters(), maxNorm: 10)
            try opt.step()
            ema.update()
            if step == 0 { first = try loss.item() }
            last = try loss.item()
        }
        XCTAssertLessThan(last, first * 0.5)
        try ema.copyTo(model)
        XCTAssertEqual(model.parameters()[0].scalars, ema.shadow[0].scalars)
    }

    func testSchedules() {
        XCTAssertEqual(LRSchedule.linearWarmup(warmup: 10).factor(at: 5), 0.5)
        XCTAssertEqual(LRSchedule.cosine(warmup: 10, total: 110).factor(at: 60), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LRSchedule.cosine(warmup: 10, total: 110).factor(at: 110), 0, accuracy: 1e-12)
        XCTAssertEqual(LRSchedule.step(stepSize: 10, gamma: 0.5).factor(at: 25), 0.25)
        XCTAssertEqual(LRSchedule.linear(warmup: 0, total: 100).lr(1, at: 25), 0.75)
    }
}
