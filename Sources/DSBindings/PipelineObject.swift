import DSDiffusion
import DSEngine
import DSLanguage
import DSRender
import OrderedCollections

/// A diffusers pipeline as a dscript value (`type(p)` is `"pipeline"`, docs/builtins.md § Models):
/// its components by their diffusers names (`p.unet`, `p.vae` / `p.vqvae`, `p.scheduler`), `p.config`
/// (the `model_index.json` entries) and `p.sample(...)`, which returns images [N, C, H, W] in [0, 1].
public final class PipelineObject: NativeObject {
    public let pipeline: Pipeline
    /// One script value per component, made once so that `p.unet` is the same object every time.
    private var values: [String: Value] = [:]

    public init(_ pipeline: Pipeline) { self.pipeline = pipeline }

    public var typeName: String { "pipeline" }

    func value(_ name: String) -> Value? {
        if let cached = values[name] { return cached }
        let made: Value
        switch pipeline.component(name) {
        case .model(let m)?: made = ImageModelLibrary.wrap(m)
        case .scheduler(let s, _)?: made = .native(NoiseScheduleObject(s))
        case .skipped?, nil: return nil
        }
        values[name] = made
        return made
    }

    public func member(_ name: String, context: CallContext) throws -> Value? {
        switch name {
        case "config":
            var entries = OrderedDictionary<String, Value>()
            entries["_class_name"] = .string(pipeline.className)
            for (key, v) in pipeline.index { entries[key] = ImageModelLibrary.value(v) }
            return .dict(DictObject(entries))
        case "kind": return pipeline.kind.map { .string($0.rawValue) } ?? .null
        case "components": return .list(ListObject(pipeline.components.map { .string($0.name) }))
        default: break
        }
        if pipeline.components.contains(where: { $0.name == name }) {
            guard let v = value(name) else {
                throw ScriptError("\(pipeline.className): component '\(name)' was not loaded (dscript does not read its class)")
            }
            return v
        }
        if let method = PipelineObject.methods.first(where: { $0.shortName == name }) {
            return method.bound(to: self)
        }
        return nil
    }

    /// The members every pipeline has besides its components and methods.
    static let typeMembers = ["config", "kind", "components"]

    public var memberNames: [String] {
        PipelineObject.typeMembers + pipeline.components.map(\.name) + PipelineObject.methods.map(\.shortName)
    }

    public func describe(repr: Bool) -> String {
        var lines = ["\(pipeline.className)("]
        for (name, part) in pipeline.components {
            switch part {
            case .model(let m):
                var text = "  \(name): \(m.typeName) (\(PipelineObject.count(m.numParams)) parameters"
                if let unet = m as? UNet2DModel, let size = unet.sampleSize { text += ", sample_size \(size[0] == size[1] ? "\(size[0])" : "\(size)")" }
                lines.append(text + ")")
            case .scheduler(let s, let cls):
                lines.append("  \(name): \(cls) " + NoiseScheduleObject(s).describe(repr: false))
            case .skipped(let library, let cls):
                lines.append("  \(name): \(library) \(cls) (not loaded)")
            }
        }
        return lines.joined(separator: "\n") + "\n)"
    }

    /// A parameter count as people write it: 512, 12.3K, 35.7M.
    static func count(_ n: Int) -> String {
        if n >= 1_000_000 { return formatNumber((Double(n) / 1e5).rounded() / 10) + "M" }
        if n >= 1_000 { return formatNumber((Double(n) / 1e2).rounded() / 10) + "K" }
        return String(n)
    }

    static func this(_ a: Arguments) throws -> Pipeline { try a.receiver(as: PipelineObject.self).pipeline }

    static let methods: [Builtin] = [
        Builtin("pipeline.sample(batch = 1, steps = nil, eta = 0, noise = nil, class_labels = nil, step_noises = nil, sampler = nil, karras = nil) -> tensor",
                "images [N, C, H, W] in [0, 1] as the diffusers pipeline makes them with the steps of its scheduler's class "
                    + "(DDPM: 1000 steps by default, else 50); noise: x_T (or LDM's latents), step_noises: the per-step noises, "
                    + "else drawn from the generator; sampler: any sampler of sample() on the pipeline's schedule and scheduler "
                    + "config, as pipe.scheduler = Cls.from_config(pipe.scheduler.config) does (steps and karras as sample() reads them)",
                example: "let p = from_pretrained(\"ddpm-cifar10-32\")\nshow(p.sample(batch: 4, steps: 100))\n"
                    + "show(p.sample(batch: 4, steps: 20, sampler: \"dpmpp_2m\", karras: true))") { a, c in
            let p = try this(a)
            let noises = try DiffusionBridge.stepNoises(a, c)
            let start = try a.optionalTensor("noise"), batch = try a.int("batch")
            if let start, a.given("batch") != nil, start.shape.first != batch {
                throw ScriptError("\(p.className): batch \(batch) but noise: has shape \(TensorFormatter.formatShape(start.shape))")
            }
            let images = try p.sample(batch: batch, steps: a.has("steps") ? try a.int("steps") : nil,
                                      eta: try a.number("eta"), initialNoise: start, noise: noises.source,
                                      classLabels: try a.optionalTensor("class_labels"),
                                      sampler: a.has("sampler") ? try SamplerKind(name: try a.string("sampler")) : nil,
                                      karras: a.has("karras") ? try a.bool("karras") : nil,
                                      hooks: DiffusionBridge.hooks(c, label: p.className))
            try noises.checkUsed()
            return .tensor(images)
        },
    ]
}
