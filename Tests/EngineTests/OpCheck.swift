import XCTest
@testable import DSEngine

/// A seeded random tensor: `offset + scale · N(0, 1)` (or uniform in [offset, offset + scale)).
func rnd(_ shape: [Int], seed: UInt64, scale: Float = 1, offset: Float = 0, uniform: Bool = false) -> Tensor {
    let g = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let v = uniform ? g.uniform(n) : g.normal(n)
    return Tensor(shape: shape, scalars: v.map { offset + scale * $0 })
}

/// Asserts that two float arrays agree within `atol + rtol·|expected|` elementwise.
func assertClose(_ got: [Float], _ want: [Float], atol: Float = 1e-5, rtol: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard got.count == want.count else {
        XCTFail("\(what): \(got.count) values, expected \(want.count)", file: file, line: line)
        return
    }
    var worst: (Int, Float) = (-1, 0)
    for i in 0..<got.count {
        let err = abs(got[i] - want[i]) - (atol + rtol * abs(want[i]))
        if !(err <= 0) && (worst.0 < 0 || err > worst.1 || err.isNaN) { worst = (i, err) }
    }
    if worst.0 >= 0 {
        let i = worst.0
        XCTFail("\(what): element \(i) is \(got[i]), expected \(want[i])", file: file, line: line)
    }
}

/// The one op checker: runs `op` on leaf copies of `inputs`, compares the forward result with a
/// plain Double-precision `reference` (when given) and every input gradient with central finite
/// differences of L = Σ out · w for fixed weights w.
func checkOp(_ name: String, _ inputs: [Tensor], reference: (([[Double]]) -> [Double])? = nil,
             forwardTol: Float = 1e-5, gradTol: Float = 1e-2, eps: Float = 1e-2, checkGrads: [Bool]? = nil,
             file: StaticString = #filePath, line: UInt = #line, _ op: ([Tensor]) throws -> Tensor) {
    do {
        let leaves = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars).requiringGrad() }
        let out = try op(leaves)
        if let reference {
            let want = reference(inputs.map { $0.scalars.map(Double.init) }).map { Float($0) }
            assertClose(out.scalars, want, atol: forwardTol, rtol: forwardTol * 10, "\(name) forward", file: file, line: line)
        }
        let w = Tensor(shape: out.shape, scalars: (0..<out.count).map { Float(sin(Double($0) * 1.7 + 0.3)) + 0.2 })
        try out.mul(w).sum().backward()
        func loss(_ xs: [Tensor]) throws -> Double {
            let y = try Engine.withNoGrad { try op(xs) }
            return zip(y.scalars, w.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        for (k, x) in inputs.enumerated() where checkGrads?[k] ?? true {
            guard let g = leaves[k].grad else {
                XCTFail("\(name): input \(k) got no gradient", file: file, line: line)
                continue
            }
            var fd = [Float](repeating: 0, count: x.count)
            for j in 0..<x.count {
                var plus = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars) }
                var minus = inputs.map { Tensor(shape: $0.shape, scalars: $0.scalars) }
                plus[k].scalars[j] += eps
                minus[k].scalars[j] -= eps
                fd[j] = Float((try loss(plus) - loss(minus)) / Double(2 * eps))
                _ = (plus, minus)
                plus = []; minus = []
            }
            assertClose(g.scalars, fd, atol: gradTol, rtol: gradTol, "\(name) gradient of input \(k)", file: file, line: line)
        }
    } catch {
        XCTFail("\(name) threw \(error)", file: file, line: line)
    }
}

/// Loads a golden fixture written by scripts/make-engine-goldens.py.
func fixture(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/engine/\(name).json")
    let data = try Data(contentsOf: url)
    guard let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let cases = doc["cases"] as? [String: Any] else { throw TensorError("bad fixture \(name)") }
    return cases
}

/// A tensor stored in a fixture as {"shape": [...], "data": [...]}.
func tensor(_ any: Any?) throws -> Tensor {
    guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Double] else {
        throw TensorError("fixture value is not a tensor")
    }
    return try Tensor(validating: shape, scalars: data.map { Float($0) })
}

extension Dictionary where Key == String, Value == Any {
    func t(_ key: String) throws -> Tensor { try tensor(self[key]) }
    func dict(_ key: String) throws -> [String: Any] {
        guard let d = self[key] as? [String: Any] else { throw TensorError("fixture has no case \(key)") }
        return d
    }
}
