import XCTest
import Foundation
@testable import DSEngine

final class ElementwiseTests: XCTestCase {
    func testUnaryOps() {
        let x = rnd([2, 5], seed: 1)
        let pos = rnd([2, 5], seed: 2, scale: 2, offset: 0.5, uniform: true)
        let cases: [(String, Tensor, (Double) -> Double, (Tensor) throws -> Tensor)] = [
            ("neg", x, { -$0 }, { $0.neg() }),
            ("exp", x, { Foundation.exp($0) }, { $0.exp() }),
            ("log", pos, { Foundation.log($0) }, { $0.log() }),
            ("sqrt", pos, { $0.squareRoot() }, { $0.sqrt() }),
            ("abs", x, { Swift.abs($0) }, { $0.abs() }),
            ("sin", x, { Foundation.sin($0) }, { $0.sin() }),
            ("cos", x, { Foundation.cos($0) }, { $0.cos() }),
            ("tanh", x, { Foundation.tanh($0) }, { $0.tanh() }),
            ("sigmoid", x, { 1 / (1 + Foundation.exp(-$0)) }, { $0.sigmoid() }),
            ("relu", x, { Swift.max($0, 0) }, { $0.relu() }),
            ("silu", x, { $0 / (1 + Foundation.exp(-$0)) }, { $0.silu() }),
            ("gelu", x, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, { $0.gelu() }),
            ("gelu_tanh", x, { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) },
             { $0.gelu(approximate: "tanh") }),
            ("square", x, { $0 * $0 }, { try $0.square() }),
            ("rsqrt", pos, { 1 / $0.squareRoot() }, { try $0.rsqrt() }),
            ("clamp", x, { Swift.min(Swift.max($0, -0.5), 0.7) }, { $0.clamp(min: -0.5, max: 0.7) }),
        ]
        for (name, input, f, op) in cases {
            checkOp(name, [input], reference: { $0[0].map(f) }) { try op($0[0]) }
        }
    }

    func testBinaryOpsBroadcast() {
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1, 3], [4, 1]), ([3], []), ([], [2, 2]),
                                        ([2, 3, 1, 2], [1, 3, 4, 1])]
        for (i, (sa, sb)) in shapes.enumerated() {
            let a = rnd(sa, seed: UInt64(10 + i)), b = rnd(sb, seed: UInt64(20 + i), scale: 1, offset: 1.5, uniform: true)
            let out = (try? broadcastShapes(sa, sb)) ?? []
            func ref(_ f: @escaping (Double, Double) -> Double) -> ([[Double]]) -> [Double] {
                { v in broadcastRef(v[0], sa, v[1], sb, out, f) }
            }
            checkOp("add \(sa) \(sb)", [a, b], reference: ref(+)) { try $0[0] + $0[1] }
            checkOp("sub \(sa) \(sb)", [a, b], reference: ref(-)) { try $0[0] - $0[1] }
            checkOp("mul \(sa) \(sb)", [a, b], reference: ref(*)) { try $0[0] * $0[1] }
            checkOp("div \(sa) \(sb)", [a, b], reference: ref(/)) { try $0[0] / $0[1] }
            checkOp("pow \(sa) \(sb)", [b, a], reference: { v in broadcastRef(v[0], sb, v[1], sa, out, Foundation.pow) }) {
                try $0[0].pow($0[1])
            }
            checkOp("maximum", [a, b], reference: ref(Swift.max)) { try $0[0].maximum($0[1]) }
            checkOp("minimum", [a, b], reference: ref(Swift.min)) { try $0[0].minimum($0[1]) }
        }
    }

    func testScalarOperandsAndComparisons() throws {
        let a = Tensor(shape: [4], scalars: [1, 2, 3, 4]), b = Tensor(shape: [4], scalars: [4, 2, 1, 4])
        XCTAssertEqual(try a.lt(b).scalars, [1, 0, 0, 0])
        XCTAssertEqual(try a.le(b).scalars, [1, 1, 0, 1])
        XCTAssertEqual(try a.gt(b).scalars, [0, 0, 1, 0])
        XCTAssertEqual(try a.ge(b).scalars, [0, 1, 1, 1])
        XCTAssertEqual(try a.eq(b).scalars, [0, 1, 0, 1])
        XCTAssertEqual(try a.ne(b).scalars, [1, 0, 1, 0])
        XCTAssertEqual(try (2 - a).scalars, [1, 0, -1, -2])
        XCTAssertEqual(try (a / 2).scalars, [0.5, 1, 1.5, 2])
        let c = Tensor(shape: [4], scalars: [1, 0, 1, 0])
        checkOp("where", [a, b]) { try Tensor.where(c, $0[0], $0[1].reshape([1, 4])) }
        XCTAssertEqual(try Tensor.where(c, a, Tensor(0)).scalars, [1, 0, 3, 0])
    }

    func testMaximumTieSplitsGradient() throws {
        let a = Tensor(shape: [2], scalars: [1, 2]).requiringGrad(), b = Tensor(shape: [2], scalars: [1, 3]).requiringGrad()
        try a.maximum(b).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [0.5, 0])
        XCTAssertEqual(b.grad?.scalars, [0.5, 1])
    }

    func testBroadcastError() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).add(Tensor.zeros([4]))) { e in
            XCTAssertEqual("\(e)", "shapes [2, 3] and [4] cannot be broadcast")
        }
    }
}

/// Plain broadcasting reference in Double.
func broadcastRef(_ a: [Double], _ sa: [Int], _ b: [Double], _ sb: [Int], _ out: [Int],
                  _ f: (Double, Double) -> Double) -> [Double] {
    let n = out.reduce(1, *)
    func offset(_ idx: [Int], _ s: [Int]) -> Int {
        var off = 0
        for (i, d) in s.enumerated() { off = off * d + (d == 1 ? 0 : idx[idx.count - s.count + i]) }
        return off
    }
    return (0..<n).map { k in
        var idx = [Int](repeating: 0, count: out.count), rem = k
        for d in stride(from: out.count - 1, through: 0, by: -1) { idx[d] = rem % out[d]; rem /= out[d] }
        return f(a[offset(idx, sa)], b[offset(idx, sb)])
    }
}
