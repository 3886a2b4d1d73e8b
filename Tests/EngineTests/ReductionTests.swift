import XCTest
@testable import DSEngine

/// Reference reduction over one axis of a row-major array.
func reduceRef(_ x: [Double], _ shape: [Int], axis: Int, _ f: ([Double]) -> Double) -> [Double] {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var out: [Double] = []
    for o in 0..<outer { for i in 0..<inner { out.append(f((0..<n).map { x[(o * n + $0) * inner + i] })) } }
    return out
}

final class ReductionTests: XCTestCase {
    let x = rnd([3, 4, 5], seed: 3)

    func testSumMeanAlongAxes() {
        for axis in 0..<3 {
            checkOp("sum axis \(axis)", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: axis) { $0.reduce(0, +) } }) {
                try $0[0].sum(axis: axis)
            }
            checkOp("mean axis \(axis) keepdim", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: axis) { $0.reduce(0, +) / Double($0.count) } }) {
                try $0[0].mean(axis: axis - 3, keepdim: true)
            }
        }
        checkOp("sum all", [x], reference: { [$0[0].reduce(0, +)] }) { try $0[0].sum() }
        checkOp("sum axes [0, 2]", [x], reference: { v in
            var out = [Double](repeating: 0, count: 4)
            for i in 0..<3 { for j in 0..<4 { for k in 0..<5 { out[j] += v[0][(i * 4 + j) * 5 + k] } } }
            return out
        }) { try $0[0].sum(axes: [0, -1]) }
        XCTAssertEqual(try x.sum(axes: [0, 2], keepdim: true).shape, [1, 4, 1])
    }

    func testVarStdMinMax() {
        func variance(_ v: [Double], unbiased: Bool) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(unbiased ? v.count - 1 : v.count)
        }
        checkOp("var axis 1", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: 1) { variance($0, unbiased: true) } }) {
            try $0[0].variance(axes: [1])
        }
        checkOp("std biased axis 2", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: 2) { variance($0, unbiased: false).squareRoot() } }) {
            try $0[0].std(axes: [2], unbiased: false)
        }
        checkOp("max axis 1", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: 1) { $0.max()! } }, eps: 1e-3) { try $0[0].max(axis: 1) }
        checkOp("min axis 0", [x], reference: { reduceRef($0[0], [3, 4, 5], axis: 0) { $0.min()! } }, eps: 1e-3) { try $0[0].min(axis: 0) }
        checkOp("max all", [x], reference: { [$0[0].max()!] }) { try $0[0].max() }
    }

    func testArgmaxCumulative() throws {
        let t = Tensor(shape: [2, 3], scalars: [1, 5, 2, 7, 0, 7])
        XCTAssertEqual(try t.argmax(axis: 1).scalars, [1, 0])
        XCTAssertEqual(try t.argmax().scalars, [3])
        XCTAssertEqual(try t.argmin(axis: 0).scalars, [0, 1, 0])
        checkOp("cumsum", [x], reference: { v in
            var out = v[0]
            for o in 0..<3 { for k in 1..<4 { for i in 0..<5 { out[(o * 4 + k) * 5 + i] += out[(o * 4 + k - 1) * 5 + i] } } }
            return out
        }) { try $0[0].cumsum(axis: 1) }
        let small = rnd([2, 4], seed: 9)
        checkOp("cumprod", [small], reference: { v in
            var out = v[0]
            for o in 0..<2 { for k in 1..<4 { out[o * 4 + k] *= out[o * 4 + k - 1] } }
            return out
        }) { try $0[0].cumprod(axis: -1) }
        let zero = Tensor(shape: [4], scalars: [2, 0, 3, 0.5])
        checkOp("cumprod with zero", [zero]) { try $0[0].cumprod(axis: 0) }
    }

    func testSoftmaxFamily() {
        for axis in [0, 1, -1] {
            checkOp("softmax \(axis)", [x], reference: { v in
                let r = reduceRef(v[0], [3, 4, 5], axis: (axis + 3) % 3) { row in
                    let m = row.max()!
                    return m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
                }
                return softmaxRef(v[0], [3, 4, 5], axis: (axis + 3) % 3, lse: r)
            }) { try $0[0].softmax(axis: axis) }
            checkOp("log_softmax \(axis)", [x]) { try $0[0].logSoftmax(axis: axis) }
            checkOp("logsumexp \(axis)", [x]) { try $0[0].logsumexp(axis: axis) }
        }
        let big = Tensor(shape: [3], scalars: [1000, 1001, 1002])
        XCTAssertEqual(try big.softmax().scalars.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertFalse(try big.logSoftmax().scalars.contains { !$0.isFinite })
    }
}

func softmaxRef(_ x: [Double], _ shape: [Int], axis: Int, lse: [Double]) -> [Double] {
    let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var out = x
    for o in 0..<outer { for k in 0..<n { for i in 0..<inner {
        out[(o * n + k) * inner + i] = Foundation.exp(x[(o * n + k) * inner + i] - lse[o * inner + i])
    } } }
    return out
}
