import DSEngine
import Foundation

/// A model that `save_pretrained` / `from_pretrained` know: its diffusers class and configuration.
public protocol PretrainedModel: Module {
    var config: ModelConfig { get }
    static var className: String { get }
}

extension UNet2DModel: PretrainedModel { public static var className: String { "UNet2DModel" } }
extension AutoencoderKL: PretrainedModel { public static var className: String { "AutoencoderKL" } }
extension VQModel: PretrainedModel { public static var className: String { "VQModel" } }
extension UNet2DConditionModel: PretrainedModel { public static var className: String { "UNet2DConditionModel" } }

/// diffusers' folder layout (`ModelMixin.save_pretrained` / `from_pretrained`): `config.json` with
/// `_class_name`, `_diffusers_version` and every config key, plus `diffusion_pytorch_model.safetensors`
/// (F32, F16 or BF16, `__metadata__` `{"format": "pt"}`).
public enum Pretrained {
    public static let configName = "config.json"
    /// The diffusers version written into `_diffusers_version` (the version dscript is tested against).
    public static let diffusersVersion = "0.42.1"

    /// The model classes a folder may name in `_class_name`, with their builders.
    static let builders: [(name: String, make: ([(String, ConfigValue)], RandomGenerator) throws -> any PretrainedModel)] = [
        (UNet2DModel.className, { try UNet2DModel(config: $0, generator: $1) }),
        (AutoencoderKL.className, { try AutoencoderKL(config: $0, generator: $1) }),
        (VQModel.className, { try VQModel(config: $0, generator: $1) }),
        (UNet2DConditionModel.className, { try UNet2DConditionModel(config: $0, generator: $1) }),
    ]
    public static let weightsName = "diffusion_pytorch_model.safetensors"

    /// Writes `model` into the folder `directory` (created when missing; files replaced atomically),
    /// its weights in `dtype` (F32, F16 or BF16).
    public static func save(_ model: any PretrainedModel, to directory: String, dtype: SafetensorsDtype = .f32) throws {
        let dir = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let json = model.config.json(className: type(of: model).className)
            try Data(json.utf8).write(to: dir.appendingPathComponent(configName), options: .atomic)
        } catch {
            throw DiffusionError("save_pretrained: cannot write \(dir.appendingPathComponent(configName).path): \(FormatError.reason(error))")
        }
        do {
            try Safetensors.write(model.stateDict(), metadata: ["format": "pt"], dtype: dtype, to: dir.appendingPathComponent(weightsName).path)
        } catch let error as FormatError {
            throw DiffusionError("save_pretrained: \(error.message)")
        }
    }

    /// The model stored in `directory`; `_class_name` picks the class, weights load strictly
    /// (missing, unexpected and mis-shaped keys are listed); the model renames legacy attention names.
    public static func load(from directory: String, generator: RandomGenerator, variant: String? = nil) throws -> any PretrainedModel {
        let dir = URL(fileURLWithPath: directory)
        let configURL = dir.appendingPathComponent(configName)
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
                throw DiffusionError("from_pretrained: no folder '\(directory)'")
            }
            throw DiffusionError("from_pretrained: no \(configName) (a model) or model_index.json (a pipeline) in '\(directory)'")
        }
        let model = try make(config: try ModelConfig.parseJSON(data, source: configURL.path), source: "from_pretrained: " + configURL.path,
                             generator: generator)
        let (source, tensors) = try PretrainedWeights.read(in: directory, variant: variant)
        do {
            try model.loadState(tensors, strict: true)
        } catch let error as TensorError {
            throw DiffusionError("from_pretrained: \(source): \(error.message)")
        }
        return model
    }

    /// A freshly initialised model of the class named by the config's `_class_name` (diffusers'
    /// `from_config`); `source` names the config in messages.
    public static func make(config given: [(String, ConfigValue)], source: String,
                            generator: RandomGenerator) throws -> any PretrainedModel {
        let className = given.first { $0.0 == "_class_name" }.flatMap { if case .string(let s) = $0.1 { return s } else { return nil } }
        guard let builder = builders.first(where: { $0.name == className }) else {
            throw DiffusionError("\(source) has _class_name \(className.map { "'\($0)'" } ?? "missing"); "
                + "supported: " + builders.map { "'\($0.name)'" }.joined(separator: ", "))
        }
        return try builder.make(given, generator)
    }

    /// The current name of a legacy attention key: `query`, `key`, `value`, `proj_attn` inside
    /// `attentions.N.` become `to_q`, `to_k`, `to_v`, `to_out.0`, as diffusers converts deprecated
    /// attention blocks on load; nil for any other name.
    public static func modernAttentionKey(_ name: String) -> String? {
        let renames = ["query": "to_q", "key": "to_k", "value": "to_v", "proj_attn": "to_out.0"]
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, let leaf = renames[parts[parts.count - 2]],
              parts[parts.count - 4] == "attentions" else { return nil }
        parts[parts.count - 2] = leaf
        return parts.joined(separator: ".")
    }
}
