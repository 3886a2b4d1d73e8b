import DSBindings
import DSLanguage
import XCTest

/// Hostile arguments to the binding built-ins end in a script error, never a trap.
final class BindingRobustnessTests: XCTestCase {
    static let snippets: [String] = [
        "zeros([-1])", "zeros([1e300])", "zeros([2 ** 62, 2 ** 62])", "ones(1.5)", "full([2], \"a\")", "eye(-3)",
        "arange(0, 1e300)", "arange(0, 1, 0)", "arange(0, 1, 1e-300)", "arange(nil)", "linspace(0, 1, -5)",
        "linspace(0, 1, 1e300)", "randn([1e12])", "randint(5, 5, [2])", "randint(0, 1e300, [2])", "seed(-1)",
        "randperm(-1)", "tensor([[1], [1, 2]])", "tensor([\"a\"])", "tensor({})", "tensor([[1, 2], 3])",
        "zeros([2, 3])[5]", "zeros([2, 3])[0, 9]", "zeros([2, 3])[1.5]", "zeros([2, 3])[::0]", "zeros([2, 3])[\"a\"]",
        "zeros([2, 3])[tensor([7])]", "zeros([2, 3])[[0.5]]", "zeros([3])[0, 0]", "tensor(1)[0]", "zeros([2])[1e300]",
        "let x = zeros([2]); x[5] = 1", "let x = zeros([2]); x[0] = zeros([3])",
        "zeros([2, 3]).reshape([7])", "zeros([2]).reshape([-1, -1])", "zeros([2]).permute([0, 0])", "zeros([2]).transpose(0, 5)",
        "zeros([2]).unsqueeze(9)", "zeros([2]).squeeze(4)", "zeros([2]).flatten(1, 0)", "zeros([2]).sum(axis: 4)",
        "zeros([2]).sum(axis: [0, 0])", "zeros([0]).max()", "zeros([0]).argmax()", "zeros([2]).cumsum(axis: 3)",
        "zeros([2]).expand([3, 3])", "zeros([2]).size(5)", "zeros([2, 2]).item()", "zeros([2]).backward()",
        "zeros([2, 3]) @ zeros([2, 3])", "zeros([2]) + zeros([3])", "zeros([2]) < zeros([3])", "cat([])", "cat([zeros([2]), zeros([2, 2])])",
        "stack([zeros([2]), zeros([3])])", "where(zeros([2]), zeros([3]), 1)", "softmax(zeros([2]), axis: 5)",
        "mse(zeros([2]), zeros([3]))", "linear(-1, 2)", "linear(1e15, 1e15)", "conv2d(0, 1, 3)", "conv2d(1, 1, 0)",
        "conv2d(1, 1, 3)(zeros([2]))", "conv2d(1, 1, 5)(zeros([1, 1, 2, 2]))", "group_norm(3, 4)", "group_norm(0, 4)",
        "group_norm(2, 4)(zeros([1, 3, 2, 2]))", "layer_norm(3)(zeros([2, 4]))", "layer_norm(-2)", "sequential(5)",
        "sequential([1])", "linear(2, 2)(zeros([3, 3]))", "linear(2, 2)(1, 2)", "linear(2, 2)[5]",
        "timestep_embedding(zeros([2, 2]), 4)", "timestep_embedding(1, -1)", "timestep_embedding(1, 1e15)",
        "load_state(linear(1, 1), {weight: 1})", "load_state(linear(1, 1), 5)", "sgd([zeros([1])], lr: -1)",
        "adam([zeros([1])], betas: [1])", "adam(5)", "ema(5)", "ema(linear(1, 1), decay: 2)", "clip_grad_norm([], -1)",
        "lr_schedule(sgd([zeros([1])]), \"cosine\", warmup: 5, total: 5)", "lr_schedule(5, \"cosine\")",
        "upsample(zeros([1, 1, 2, 2]), 1e300)", "upsample(zeros([2]))", "avg_pool2d(zeros([1, 1, 2, 2]), 5)",
        "attention(zeros([2]), zeros([2]), zeros([2]))", "no_grad(5)", "param(\"x\")",
        "let o = sgd([zeros([1])]); o.lr = -1", "let m = linear(1, 1); m.weight = 1", "zeros([1]).requires_grad = 5",
        "if zeros([2]) { }", "zeros([2]).nothing", "zeros([2]).grad = zeros([3])",
    ]

    /// Out-of-range slice bounds are clamped as in Python: empty or partial results, no error.
    func testExtremeSliceBoundsAreClamped() throws {
        let sink = StringSink()
        let interpreter = Interpreter(output: sink, errorOutput: StringSink())
        Bindings.install(in: interpreter)
        try interpreter.run(Source(name: "-e", text: "print(zeros([2])[1e300:].shape, arange(3)[-1e300:1e300:1e300], arange(3)[9:-9:-1])"))
        interpreter.flush()
        XCTAssertEqual(sink.text, "[0] tensor([0.]) tensor([2., 1., 0.])\n")
    }

    func testHostileCallsFailWithScriptErrors() {
        for code in BindingRobustnessTests.snippets {
            let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
            Bindings.install(in: interpreter)
            do {
                try interpreter.run(Source(name: "-e", text: code))
                XCTFail("no error from: \(code)")
            } catch let error as ScriptError {
                XCTAssertFalse(error.message.isEmpty, code)
            } catch {
                // Syntax errors would be a mistake in the snippet itself.
                XCTFail("\(code): \(error)")
            }
        }
    }
}
