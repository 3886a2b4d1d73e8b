import DSEngine
import Foundation

/// Where a diffusers model folder keeps its weights, in diffusers' order of preference: one
/// safetensors file, safetensors shards with their index, one PyTorch `.bin` file, `.bin` shards with
/// their index — each name with the variant inserted when one is asked for
/// (`diffusion_pytorch_model.fp16.safetensors`, `diffusion_pytorch_model.safetensors.index.fp16.json`),
/// as diffusers' `_add_variant` does. `.bin` files go through the weights-only `TorchCheckpoint` reader.
enum PretrainedWeights {
    static let stem = "diffusion_pytorch_model"

    /// diffusers' `_add_variant`: the variant goes before the last extension.
    static func name(_ base: String, variant: String?) -> String {
        guard let variant else { return base }
        var parts = base.split(separator: ".").map(String.init)
        parts.insert(variant, at: parts.count - 1)
        return parts.joined(separator: ".")
    }

    /// The candidates in order: (file name, sharded index?, PyTorch format?).
    static func candidates(variant: String?) -> [(name: String, index: Bool, torch: Bool)] {
        [(name(stem + ".safetensors", variant: variant), false, false),
         (name(stem + ".safetensors.index.json", variant: variant), true, false),
         (name(stem + ".bin", variant: variant), false, true),
         (name(stem + ".bin.index.json", variant: variant), true, true)]
    }

    /// The weights of the model folder `directory`: the file (or index) read and its (name, tensor) pairs.
    static func read(in directory: String, variant: String?) throws -> (source: String, tensors: [(String, Tensor)]) {
        if let variant {
            guard !variant.isEmpty, !variant.contains("/"), !variant.contains("."), variant.count <= 64 else {
                throw DiffusionError("from_pretrained: variant '\(variant.prefix(64))' must be a plain name such as fp16")
            }
        }
        let dir = URL(fileURLWithPath: directory)
        for candidate in candidates(variant: variant) {
            let path = dir.appendingPathComponent(candidate.name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                let tensors = candidate.index ? try shards(index: path, in: dir, torch: candidate.torch)
                                              : try file(path, torch: candidate.torch)
                return (path, tensors)
            } catch let error as FormatError {
                throw DiffusionError("from_pretrained: \(error.message)")
            }
        }
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(stem) }.sorted()
        throw DiffusionError("from_pretrained: no weights\(variant.map { " of variant '\($0)'" } ?? "") in '\(directory)' (looked for "
            + candidates(variant: variant).map(\.name).joined(separator: ", ") + ")"
            + (present.isEmpty ? "" : "; the folder has " + present.joined(separator: ", ")))
    }

    static func file(_ path: String, torch: Bool) throws -> [(String, Tensor)] {
        if torch { return TorchCheckpoint.tensors(in: try TorchCheckpoint.read(path: path)).map { ($0.name, $0.tensor) } }
        return try Safetensors.read(path: path).tensors.map { ($0.name, $0.tensor) }
    }

    /// Shards listed by an index (`{"weight_map": {"key": "file", ...}}`): each file read once, every key
    /// of the map found in the shard it names. Shard names are plain files of the same folder.
    static func shards(index path: String, in dir: URL, torch: Bool) throws -> [(String, Tensor)] {
        guard let data = FileManager.default.contents(atPath: path), data.count < 64 << 20,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = object["weight_map"] as? [String: Any] else {
            throw FormatError("\(path): not a shard index (a JSON object with a weight_map)")
        }
        var files: [String: [String]] = [:]
        for (key, value) in map {
            guard let file = value as? String, !file.contains("/"), !file.hasPrefix("."), !file.isEmpty else {
                throw FormatError("\(path): weight_map entry '\(key)' names '\(value)', not a file of this folder")
            }
            files[file, default: []].append(key)
        }
        var out: [(String, Tensor)] = []
        for (file, keys) in files.sorted(by: { $0.key < $1.key }) {
            let tensors = try self.file(dir.appendingPathComponent(file).path, torch: torch)
            let names = Set(tensors.map(\.0))
            if let missing = keys.sorted().first(where: { !names.contains($0) }) {
                throw FormatError("\(path): shard \(file) lacks '\(missing)', which the index puts there")
            }
            out += tensors
        }
        return out
    }
}
