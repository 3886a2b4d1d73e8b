import DSLanguage
import XCTest
@testable import DSBindings

/// Every binding built-in is documented for `:help` and none shadows another.
final class BindingHelpTests: XCTestCase {
    func testEveryBuiltinHasSignatureSummaryAndExample() {
        for builtin in Bindings.domains.flatMap({ $0.functions + $0.methods }) {
            XCTAssertFalse(builtin.summary.isEmpty, builtin.name)
            XCTAssertFalse(builtin.example.isEmpty, builtin.name)
            XCTAssertTrue(builtin.signature.hasPrefix(builtin.name + "("), builtin.signature)
        }
    }

    func testEverySignatureDefaultIsALiteral() {
        let all = CoreLibrary.all + Bindings.domains.flatMap { $0.functions + $0.methods }
        for builtin in all {
            XCTAssertEqual(builtin.parameters.unreadableDefaults, [], builtin.signature)
        }
    }

    func testNamesAreUniqueAndDoNotShadowCoreBuiltins() {
        let globals = Bindings.domains.flatMap(\.functions).map(\.name)
        XCTAssertEqual(Set(globals).count, globals.count, "duplicate global built-in")
        let core = Set(CoreLibrary.all.map(\.name))
        XCTAssertEqual(Set(globals).intersection(core), [], "a binding shadows a core built-in")
        let methods = Bindings.domains.flatMap(\.methods).map(\.name)
        XCTAssertEqual(Set(methods).count, methods.count, "duplicate method")
    }

    func testInstallRegistersFunctionsAndMethodHelp() {
        let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
        Bindings.install(in: interpreter)
        XCTAssertNotNil(interpreter.global("randn"))
        XCTAssertNotNil(interpreter.global("adamw"))
        XCTAssertEqual(interpreter.help("tensor.sum")?.summary, TensorMethods.byName["sum"]?.summary)
        XCTAssertNotNil(interpreter.help("model.state_dict"))
        XCTAssertNotNil(interpreter.help("optimizer.step"))
        XCTAssertEqual(interpreter.help("save_pretrained")?.parameterNames, ["model", "dir", "dtype"])
        XCTAssertTrue(interpreter.help("save_pretrained")?.summary.contains("float16") ?? false)
    }

    func testTensorMembersAreListedForCompletion() {
        let names = TensorObject(.init(shape: [1], scalars: [0])).memberNames
        for expected in ["shape", "ndim", "numel", "dtype", "T", "grad", "requires_grad", "item", "tolist", "reshape",
                         "permute", "sum", "mean", "var", "std", "min", "max", "argmax", "cumsum", "cumprod", "abs",
                         "sqrt", "exp", "log", "clamp", "detach", "backward", "unsqueeze", "squeeze", "flatten",
                         "transpose", "pow", "norm", "floor", "ceil", "round", "len"] {
            XCTAssertTrue(names.contains(expected), expected)
        }
    }
}
