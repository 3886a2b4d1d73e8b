import DSEngine
import Foundation

/// diffusers' pipeline folder (`DiffusionPipeline.save_pretrained` / `from_pretrained`):
/// `model_index.json` names each component's library and class (`"unet": ["diffusers", "UNet2DModel"]`),
/// and each component lives in the subfolder of its name.
extension Pipeline {
    public static let indexName = "model_index.json"

    /// Whether `directory` is a pipeline folder (it holds `model_index.json`).
    public static func isPipeline(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent(indexName).path)
    }

    /// `model_index.json` as (key, value) pairs: `_class_name`, `_diffusers_version`, then the entries sorted.
    public var index: [(String, ConfigValue)] {
        var entries = options
        for (name, value) in components {
            switch value {
            case .model(let m): entries.append((name, .list([.string("diffusers"), .string(type(of: m).className)])))
            case .scheduler(_, let cls): entries.append((name, .list([.string("diffusers"), .string(cls)])))
            case .skipped(let library, let cls): entries.append((name, .list([.string(library), .string(cls)])))
            }
        }
        return entries.sorted { $0.0 < $1.0 }
    }

    /// Reads a pipeline folder: every component whose class dscript knows (UNet2DModel, AutoencoderKL,
    /// VQModel and any `*Scheduler`), weights in `variant` when given. Other components are kept as
    /// `.skipped` and named in the warnings, with the scheduler's unused keys.
    public static func load(from directory: String, generator: RandomGenerator,
                            variant: String? = nil) throws -> (pipeline: Pipeline, warnings: [String]) {
        let dir = URL(fileURLWithPath: directory)
        let indexPath = dir.appendingPathComponent(indexName).path
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            throw DiffusionError("from_pretrained: no \(indexName) in '\(directory)'")
        }
        let entries = try ModelConfig.parseJSON(data, source: indexPath)
        guard case .string(let className)? = entries.first(where: { $0.0 == "_class_name" })?.1 else {
            throw DiffusionError("from_pretrained: \(indexPath) has no _class_name")
        }
        let kind = Kind.allCases.first { $0.className == className }
        var components: [(name: String, value: PipelineComponent)] = []
        var options: [(String, ConfigValue)] = [], warnings: [String] = [], schedulerConfig: [(String, ConfigValue)] = []
        for (name, value) in entries where !name.hasPrefix("_") {
            guard case .list(let pair) = value, pair.count == 2 else { options.append((name, value)); continue }
            guard case .string(let library) = pair[0], case .string(let cls) = pair[1] else { continue }  // [null, null]: absent
            guard !name.contains("/"), name != ".", name != ".." else {
                throw DiffusionError("from_pretrained: \(indexPath): component '\(name)' is not a folder name")
            }
            let folder = dir.appendingPathComponent(name).path
            if Pretrained.builders.contains(where: { $0.name == cls }) {
                components.append((name, .model(try Pretrained.load(from: folder, generator: generator, variant: variant))))
            } else if cls.hasSuffix("Scheduler") {
                let loaded = try SchedulerConfig.load(path: folder, className: cls)
                warnings += loaded.warnings
                if name == "scheduler" { schedulerConfig = loaded.values }
                components.append((name, .scheduler(loaded.schedule, className: loaded.className ?? cls)))
            } else {
                warnings.append("\(className): component '\(name)' (\(library) \(cls)) is not loaded by dscript")
                components.append((name, .skipped(library: library, className: cls)))
            }
        }
        let pipeline = Pipeline(className: className, kind: kind, components: components, options: options,
                                schedulerConfig: schedulerConfig)
        if let kind { try pipeline.checkParts(for: kind, source: indexPath) }
        return (pipeline, warnings)
    }

    /// Throws unless the pipeline has the parts its kind samples with.
    func checkParts(for kind: Kind, source: String) throws {
        guard unet != nil else { throw DiffusionError("from_pretrained: \(source): \(className) needs a unet of class UNet2DModel") }
        guard schedule != nil else { throw DiffusionError("from_pretrained: \(source): \(className) needs a scheduler") }
        if kind == .ldm && vqvae == nil {
            throw DiffusionError("from_pretrained: \(source): LDMPipeline needs a vqvae of class VQModel")
        }
    }

    /// Writes the pipeline as a diffusers folder: `model_index.json`, each model with `Pretrained.save`
    /// (weights in `dtype`), the scheduler as a `DDPMScheduler` or `DDIMScheduler` config.
    public func save(to directory: String, dtype: SafetensorsDtype = .f32) throws {
        guard let kind else {
            throw DiffusionError("save_pretrained: dscript writes DDPM, DDIM and LDM pipelines, not \(className)")
        }
        let dir = URL(fileURLWithPath: directory)
        var written = components
        for (i, part) in written.enumerated() {
            guard case .scheduler(let schedule, let cls) = part.value else { continue }
            let target = ["DDPMScheduler", "DDIMScheduler"].contains(cls) ? cls : kind.schedulerClass
            written[i].value = .scheduler(schedule, className: target)
            try write(try SchedulerConfig.json(for: schedule, className: target),
                      to: dir.appendingPathComponent(part.name).appendingPathComponent(SchedulerConfig.fileName))
        }
        for (name, value) in written {
            if case .model(let m) = value { try Pretrained.save(m, to: dir.appendingPathComponent(name).path, dtype: dtype) }
        }
        let saved = Pipeline(className: className, kind: kind, components: written, options: options)
        let lines = [("_class_name", ConfigValue.string(className)), ("_diffusers_version", .string(Pretrained.diffusersVersion))]
            + saved.index
        try write("{\n" + lines.map { "  \(ConfigValue.quote($0.0)): \($0.1.json)" }.joined(separator: ",\n") + "\n}\n",
                  to: dir.appendingPathComponent(Pipeline.indexName))
    }

    private func write(_ text: String, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw DiffusionError("save_pretrained: cannot write \(url.path): \(FormatError.reason(error))")
        }
    }
}
