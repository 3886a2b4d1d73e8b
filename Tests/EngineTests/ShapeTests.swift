import XCTest
@testable import DSEngine

final class ShapeTests: XCTestCase {
    let x = rnd([2, 3, 4], seed: 5)

    func testReshapePermuteTranspose() throws {
        checkOp("reshape -1", [x], reference: { $0[0] }) { try $0[0].reshape([4, -1]) }
        XCTAssertEqual(try x.reshape([-1, 2]).shape, [12, 2])
        checkOp("permute", [x], reference: { v in
            var out: [Double] = []
            for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { out.append(v[0][(i * 3 + j) * 4 + k]) } } }
            return out
        }) { try $0[0].permute([2, 0, 1]) }
        let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(m.T.scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try m.transpose(0, 1).shape, [3, 2])
        XCTAssertEqual(try x.unsqueeze(-1).shape, [2, 3, 4, 1])
        XCTAssertEqual(try x.unsqueeze(1).squeeze(1).shape, [2, 3, 4])
        XCTAssertEqual(try x.flatten(start: 1).shape, [2, 12])
        XCTAssertThrowsError(try x.reshape([5, -1]))
        XCTAssertThrowsError(try x.permute([0, 0, 1]))
    }

    func testExpandCatStack() throws {
        let b = rnd([3, 1], seed: 6)
        checkOp("expand", [b], reference: { v in (0..<2).flatMap { _ in (0..<3).flatMap { i in [Double](repeating: v[0][i], count: 4) } } }) {
            try $0[0].expand(to: [2, 3, 4])
        }
        let a = rnd([2, 2], seed: 7), c = rnd([2, 3], seed: 8)
        checkOp("cat axis 1", [a, c], reference: { v in
            [v[0][0], v[0][1], v[1][0], v[1][1], v[1][2], v[0][2], v[0][3], v[1][3], v[1][4], v[1][5]]
        }) { try Tensor.cat($0, axis: 1) }
        checkOp("stack", [a, a]) { try Tensor.stack($0, axis: 1) }
        XCTAssertEqual(try Tensor.stack([a, a, a], axis: -1).shape, [2, 2, 3])
        XCTAssertThrowsError(try Tensor.cat([a, c], axis: 0)) { e in XCTAssertTrue("\(e)".contains("[2, 2] and [2, 3]")) }
    }

    func testSlicingAndIndexing() throws {
        let t = try Tensor.arange(24).reshape([2, 3, 4])
        XCTAssertEqual(try t.index([.index(1), .index(2)]).scalars, [20, 21, 22, 23])
        XCTAssertEqual(try t.index([.all, .index(0), .slice(start: 1, stop: 3, step: nil)]).scalars, [1, 2, 13, 14])
        XCTAssertEqual(try t.index([.index(-1), .slice(start: nil, stop: nil, step: -1), .index(0)]).scalars, [20, 16, 12])
        XCTAssertEqual(try t.index([.index(0), .index(0), .slice(start: nil, stop: nil, step: 2)]).scalars, [0, 2])
        XCTAssertEqual(try t.slice(axis: 2, start: -2).shape, [2, 3, 2])
        XCTAssertEqual(try t.slice(axis: 0, start: 5).shape, [0, 3, 4])
        XCTAssertThrowsError(try t.index([.index(2)])) { e in XCTAssertTrue("\(e)".contains("out of bounds")) }
        XCTAssertThrowsError(try t.index([.slice(start: nil, stop: nil, step: 0)]))
        checkOp("slice", [x]) { try $0[0].index([.all, .slice(start: 2, stop: 0, step: -1), .index(1)]) }
    }

    /// `x[[1, 0], ::-2]`-style selections: the same elements with and without recording (NumPy's
    /// t[[1, 0]][:, ::-2] of arange(24).reshape(2, 3, 4) read by hand), and gradients by finite differences.
    func testSelectionReadsWritesAndDifferentiates() throws {
        let t = try Tensor.arange(24).reshape([2, 3, 4])
        let s = try TensorSelection([.gather(positions: [1, 0], shape: [2]),
                                     try TensorSelection.slice(start: nil, stop: nil, step: -2, size: 3)], shape: t.shape)
        XCTAssertEqual(s.resultShape(t.shape), [2, 2, 4])
        let want: [Float] = [20, 21, 22, 23, 12, 13, 14, 15, 8, 9, 10, 11, 0, 1, 2, 3]
        XCTAssertEqual(try t.select(s).scalars, want)
        XCTAssertEqual(try t.detach().requiringGrad().select(s).scalars, want)
        checkOp("select", [x]) { try $0[0].select(s) }
        XCTAssertEqual(try TensorSelection.position(-1, axis: 0, size: 3), 2)
        XCTAssertThrowsError(try TensorSelection.position(3, axis: 1, size: 3)) { e in
            XCTAssertEqual("\(e)", "index 3 is out of range for dimension 1 with size 3")
        }
        XCTAssertThrowsError(try TensorSelection([.single(0), .single(0), .single(0), .single(0)], shape: t.shape)) { e in
            XCTAssertEqual("\(e)", "too many indices for tensor of shape [2, 3, 4]: 4 given, 3 dimensions")
        }
        let z = try Tensor.zeros([2, 3])
        let column = try TensorSelection([try TensorSelection.slice(start: nil, stop: nil, step: nil, size: 2), .single(1)], shape: z.shape)
        try z.write(Tensor(shape: [1], scalars: [7]), at: column.offsets(in: z.shape), shape: column.resultShape(z.shape))
        XCTAssertEqual(z.scalars, [0, 7, 0, 0, 7, 0])
        XCTAssertThrowsError(try z.write(Tensor(shape: [3], scalars: [1, 2, 3]), at: [0, 1], shape: [2])) { e in
            XCTAssertEqual("\(e)", "cannot assign a tensor of shape [3] to a selection of shape [2]")
        }
    }

    /// The values of `torch.isclose(a, b, rtol=1e-5, atol=1e-8)` for the same a and b
    /// (/work/venv-ref/bin/python, torch 2.x): [[1, 1, 0], [0, 1, 1]], and True for inf against inf.
    func testIsClose() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, 1.000005, .infinity, .nan, 0, 1e-9])
        let b = Tensor(shape: [2, 1], scalars: [1, 0])
        XCTAssertEqual(try a.isClose(b, rtol: 1e-5, atol: 1e-8).scalars, [1, 1, 0, 0, 1, 1])
        XCTAssertEqual(try Tensor(.infinity).isClose(Tensor(.infinity), rtol: 1e-5, atol: 1e-8).scalars, [1])
        // torch.isclose: a finite value is not close to an infinity, nor are opposite infinities or a
        // difference that overflows ([0, 1, 0, 0, 0, 1, 0, 1, 0]).
        let c = Tensor(shape: [9], scalars: [1, .infinity, -.infinity, .infinity, 3e38, 1, .nan, 0, 1e30])
        let d = Tensor(shape: [9], scalars: [.infinity, .infinity, .infinity, -.infinity, -3e38, 1, .nan, -0.0, .infinity])
        XCTAssertEqual(try c.isClose(d, rtol: 1e-5, atol: 1e-8).scalars, [0, 1, 0, 0, 0, 1, 0, 1, 0])
        XCTAssertEqual(try Tensor(1).isClose(Tensor(2), rtol: 1e-5, atol: .infinity).scalars, [1])
    }

    func testGatherAndSetIndex() throws {
        let table = rnd([5, 3], seed: 11)
        let idx = Tensor(shape: [2, 2], scalars: [4, 0, 4, -1])
        checkOp("gather", [table]) { try $0[0].gather(idx) }
        let g = try table.gather(idx)
        XCTAssertEqual(g.shape, [2, 2, 3])
        XCTAssertEqual(Array(g.scalars[0..<3]), Array(table.scalars[12..<15]))
        let p = table.detach().requiringGrad()
        try p.gather(idx).sum().backward()
        XCTAssertEqual(p.grad?.scalars[12], 3)   // row 4 gathered three times (4, 4, -1)
        XCTAssertThrowsError(try table.gather(Tensor(shape: [1], scalars: [5])))
        XCTAssertThrowsError(try table.gather(Tensor(shape: [1], scalars: [0.5])))

        let z = try Tensor.zeros([2, 3])
        try z.setIndex([.all, .index(1)], Tensor(7))
        try z.setIndex([.index(0), .slice(start: 2, stop: nil, step: nil)], Tensor(shape: [1], scalars: [3]))
        XCTAssertEqual(z.scalars, [0, 7, 3, 0, 7, 0])
        XCTAssertThrowsError(try table.detach().requiringGrad().setIndex([.index(0)], Tensor(1)))
    }
}
