@testable import DSBindings
import DSDiffusion
import DSEngine
@testable import DSLanguage
import DSLimits
import Foundation

/// The bodies of the fuzz targets: each runs one input through the code that reads it from a user
/// (errors are expected and ignored; only crashes, hangs and leaks count).
enum FuzzBodies {
    /// Lexer, parser, resolver and compiler (not the runtime: a fuzzed program may loop forever),
    /// with every built-in's name defined as the shell defines them.
    static func script(_ input: UnsafeRawBufferPointer) {
        let source = Source(name: "fuzz.dscript", text: String(decoding: input, as: UTF8.self))
        var parser = Parser(source: source)
        let program = parser.parseProgram()
        guard parser.diagnostics.isEmpty else { return }
        let globals = interpreter.runtime.globals
        var resolver = Resolver(interactive: false) { name in globals.lookup(name) != nil }
        _ = resolver.resolveProgram(program)
        guard resolver.diagnostics.isEmpty else { return }
        _ = Compiler(runtime: interpreter.runtime, globals: globals).block(program)
    }

    static let interpreter: Interpreter = {
        let interpreter = Interpreter(output: StringSink(), errorOutput: StringSink())
        Bindings.install(in: interpreter)
        return interpreter
    }()

    /// The whole reader: header, layout, and the conversion of every tensor.
    static func safetensors(_ input: UnsafeRawBufferPointer) {
        _ = try? Safetensors.read(bytes: [UInt8](input))
    }

    /// PyTorch files through the weights-only reader: the zip archive or the legacy layout, the pickle
    /// machine (every global but the allowed few refused) and every tensor's conversion.
    static func torch(_ input: UnsafeRawBufferPointer) {
        guard let value = try? TorchCheckpoint.read(bytes: input) else { return }
        _ = TorchCheckpoint.tensors(in: value)
    }

    static func npy(_ input: UnsafeRawBufferPointer) {
        _ = try? Npy.read(bytes: [UInt8](input))
    }

    static func png(_ input: UnsafeRawBufferPointer) {
        _ = try? PNGCodec.decode(input)
        _ = try? PNGCodec.decode(input, channels: 3)
    }

    /// Plain and gzipped IDX files.
    static func idx(_ input: UnsafeRawBufferPointer) {
        _ = try? IDXFile.read(bytes: [UInt8](input), name: "fuzz.idx")
    }

    /// The `dscript.checkpoint` record of a saved checkpoint, rebuilt around tensors named as a
    /// model, an optimizer, an EMA and a nested dict would be.
    static func checkpoint(_ input: UnsafeRawBufferPointer) {
        let t = Tensor(shape: [2], scalars: [1, 2])
        let tensors = ["model.0.weight", "opt.exp_avg.0", "opt.exp_avg_sq.0", "ema.0.weight", "a.b.c", "x"]
            .map { (name: $0, tensor: t, dtype: "F32") }
        _ = try? Checkpoint.unflatten(tensors, record: String(decoding: input, as: UTF8.self))
    }

    /// A diffusers `config.json`: parsed, checked against both model classes, and built into the
    /// model it describes under the smallest memory budget (16 MiB), so that a config of large
    /// layers (even diffusers' defaults, `{}`) is refused within the first few layers, not built.
    static func config(_ input: UnsafeRawBufferPointer) {
        guard let given = try? ModelConfig.parseJSON(Data(input), source: "config.json") else { return }
        let saved = MemoryBudget.bytes
        MemoryBudget.bytes = MemoryBudget.minimumBytes
        defer { MemoryBudget.bytes = saved }
        _ = try? UNet2DModel(config: given, generator: RandomGenerator(seed: 0))
        _ = try? AutoencoderKL(config: given, generator: RandomGenerator(seed: 0))
    }
}
