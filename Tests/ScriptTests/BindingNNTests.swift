import DSEngine
import DSLanguage
import XCTest
@testable import DSBindings

/// Layers and optimizers through the binding tables.
final class BindingNNTests: XCTestCase {
    let c = BindingTestContext()

    func builtin(_ name: String) -> Value {
        for domain in Bindings.domains { if let b = domain.functions.first(where: { $0.name == name }) { return .builtin(BuiltinFunction(b)) } }
        return .null
    }

    func testSequentialStateDictNamesAndPrinting() throws {
        let net = try c.global("sequential", [.list(ListObject([
            try c.global("linear", [.number(2), .number(8)]), builtin("silu"),
            try c.global("linear", [.number(8), .number(2)], [("bias", .bool(false))]),
        ]))])
        guard case .native(let model as ModelObject) = net else { return XCTFail() }
        guard case .dict(let state) = try c.method(net, "state_dict") else { return XCTFail() }
        XCTAssertEqual(Array(state.entries.keys), ["0.weight", "0.bias", "2.weight"])
        XCTAssertEqual(try model.member("num_params", context: c).map { c.describe($0, repr: true) }, "40")
        XCTAssertEqual(model.describe(repr: true), """
            Sequential(
              (0): Linear(in_features=2, out_features=8, bias=true)
              (1): SiLU()
              (2): Linear(in_features=8, out_features=2, bias=false)
            )
            """)
        let y = try XCTUnwrap(try model.call(Arguments([try c.global("randn", [list([5, 2])])]), context: c)?.tensorValue)
        XCTAssertEqual(y.shape, [5, 2])
    }

    func testLoadStateListsEveryProblem() throws {
        let layer = try c.global("linear", [.number(2), .number(3)])
        let bad = DictObject()
        bad.entries["weight"] = try c.global("zeros", [list([3, 3])])
        bad.entries["extra"] = try c.global("zeros", [list([1])])
        XCTAssertScriptError("missing keys: bias") { try c.global("load_state", [layer, .dict(bad)]) }
        XCTAssertScriptError("unexpected keys: extra") { try c.global("load_state", [layer, .dict(bad)]) }
        XCTAssertScriptError("weight: expected [3, 2], got [3, 3]") { try c.global("load_state", [layer, .dict(bad)]) }
        let good = DictObject()
        good.entries["weight"] = try c.global("ones", [list([3, 2])])
        good.entries["bias"] = try c.global("zeros", [list([3])])
        _ = try c.global("load_state", [layer, .dict(good)])
        let y = try c.call(layer, Arguments([try c.global("tensor", [list([1, 2])])]))
        XCTAssertEqual(y.tensorValue?.scalars, [3, 3, 3])
    }

    func testAdamReducesALeastSquaresLoss() throws {
        _ = try c.global("seed", [.number(0)])
        let layer = try c.global("linear", [.number(3), .number(1)])
        let opt = try c.global("adam", [layer], [("lr", .number(0.05))])
        let x = try c.global("randn", [list([64, 3])])
        let target = try XCTUnwrap(x.tensorValue).matmul(Tensor(shape: [3, 1], scalars: [1, -2, 0.5]))
        var losses: [Float] = []
        for _ in 0..<200 {
            _ = try c.method(opt, "zero_grad")
            let y = try c.call(layer, Arguments([x]))
            let loss = try c.global("mse", [y, .tensor(target)])
            _ = try c.method(loss, "backward")
            _ = try c.method(opt, "step")
            losses.append(loss.tensorValue?.scalars[0] ?? .nan)
        }
        XCTAssertLessThan(losses.last ?? 1, losses[0] * 0.01)
    }

    func testClipGradNormReturnsNormBeforeClipping() throws {
        let w = try c.global("param", [list([3, 4])])
        _ = try c.method(try c.method(w, "sum"), "backward")
        XCTAssertEqual(c.describe(try c.global("clip_grad_norm", [.list(ListObject([w])), .number(1)]), repr: true), "1.4142135")
    }
}
