import DSDiffusion
import DSEngine
import Foundation
import XCTest

/// The direction dscript → diffusers, pinned without Python. `Tests/Fixtures/models/from_dscript/`
/// holds folders written by dscript's `save_pretrained` (`.build/debug/dscript
/// scripts/make-dscript-fixtures.dscript`) and, in each, `io.safetensors` with what diffusers'
/// `from_pretrained` made of them (`/work/venv-ref/bin/python scripts/make-model-goldens.py
/// --from-dscript`: inputs, outputs and the (key, shape) list it loaded with no missing, unexpected or
/// mismatched keys). Here: (a) dscript, building the same models from the same configs and seeds,
/// still writes exactly those folders, and (b) `Pretrained.load` of them gives diffusers' outputs.
///
/// The models are built with the Swift calls the bindings make (`unet(config)` →
/// `UNet2DModel(config:generator:)` with the interpreter's generator, which `seed(n)` restarts as
/// `RandomGenerator(seed: n)`), so the configs and seeds below must match the script's.
final class DscriptFixtureTests: XCTestCase {
    static func strings(_ items: [String]) -> ConfigValue { .list(items.map(ConfigValue.string)) }
    static func numbers(_ items: [Double]) -> ConfigValue { .list(items.map(ConfigValue.number)) }

    /// `seed(11); unet({...})` in scripts/make-dscript-fixtures.dscript.
    static func makeUNet() throws -> any PretrainedModel {
        try UNet2DModel(config: [
            ("sample_size", .number(8)), ("in_channels", .number(2)), ("out_channels", .number(2)),
            ("block_out_channels", numbers([4, 8])),
            ("down_block_types", strings(["AttnDownBlock2D", "DownBlock2D"])),
            ("up_block_types", strings(["UpBlock2D", "AttnUpBlock2D"])),
            ("layers_per_block", .number(1)), ("norm_num_groups", .number(4)), ("attention_head_dim", .number(2)),
            ("flip_sin_to_cos", .bool(false)), ("freq_shift", .number(1)), ("resnet_time_scale_shift", .string("scale_shift")),
        ], generator: RandomGenerator(seed: 11))
    }

    /// `seed(12); autoencoder_kl({...})` in scripts/make-dscript-fixtures.dscript.
    static func makeVAE() throws -> any PretrainedModel {
        try AutoencoderKL(config: [
            ("in_channels", .number(1)), ("out_channels", .number(1)), ("block_out_channels", numbers([4, 8])),
            ("down_block_types", strings(["DownEncoderBlock2D", "DownEncoderBlock2D"])),
            ("up_block_types", strings(["UpDecoderBlock2D", "UpDecoderBlock2D"])),
            ("layers_per_block", .number(1)), ("latent_channels", .number(2)), ("norm_num_groups", .number(4)),
            ("sample_size", .number(8)),
        ], generator: RandomGenerator(seed: 12))
    }

    static func committed(_ name: String) -> URL {
        ModelGoldenTests.folder.appendingPathComponent("from_dscript/\(name)")
    }

    static func config(in dir: URL) throws -> [(String, ConfigValue)] {
        let url = dir.appendingPathComponent(Pretrained.configName)
        return try ModelConfig.parseJSON(try Data(contentsOf: url), source: url.path)
    }

    /// (a) `save_pretrained` of the rebuilt model writes the committed folder: same files, config.json
    /// equal as JSON values, same tensor names, dtypes, shapes and bits, same metadata and bytes.
    func checkWritesCommittedFolder(_ name: String, _ model: any PretrainedModel) throws {
        try Self.checkWrites(model, folder: Self.committed(name), name)
    }

    /// `save_pretrained` of `model` writes exactly the folder `want`.
    static func checkWrites(_ model: any PretrainedModel, folder want: URL, _ name: String) throws {
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-fixture-\(name)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temp) }
        try Pretrained.save(model, to: temp.path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted(),
                       [Pretrained.configName, Pretrained.weightsName])

        let gotConfig = try Self.config(in: temp), wantConfig = try Self.config(in: want)
        XCTAssertEqual(gotConfig.map(\.0), wantConfig.map(\.0), "\(name): config.json keys")
        for (got, expected) in zip(gotConfig, wantConfig) where got.0 == expected.0 {
            XCTAssertEqual(got.1, expected.1, "\(name): config.json key \(got.0)")
        }

        let gotPath = temp.appendingPathComponent(Pretrained.weightsName).path
        let wantPath = want.appendingPathComponent(Pretrained.weightsName).path
        let got = try Safetensors.read(path: gotPath), expected = try Safetensors.read(path: wantPath)
        XCTAssertEqual(got.tensors.map(\.name), expected.tensors.map(\.name), "\(name): tensor names")
        XCTAssertEqual(got.metadata, expected.metadata, "\(name): __metadata__")
        let wanted = Dictionary(expected.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for g in got.tensors {
            guard let w = wanted[g.name] else { continue }
            XCTAssertEqual(g.dtype, w.dtype, "\(name): dtype of \(g.name)")
            XCTAssertEqual(g.tensor.shape, w.tensor.shape, "\(name): shape of \(g.name)")
            let differing = zip(g.tensor.scalars, w.tensor.scalars).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertTrue(g.tensor.count == w.tensor.count && differing == 0,
                          "\(name): \(differing) of \(w.tensor.count) values of \(g.name) differ bitwise")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: gotPath)), try Data(contentsOf: URL(fileURLWithPath: wantPath)),
                       "\(name): weights file bytes (header layout)")
    }

    /// The (key, shape) list diffusers loaded (io.safetensors metadata) is dscript's state dict, and
    /// diffusers reported no missing, unexpected or mismatched keys.
    func checkDiffusersKeys(_ name: String, _ model: any PretrainedModel) throws {
        let io = try Safetensors.read(path: Self.committed(name).appendingPathComponent("io.safetensors").path)
        for kind in ["missing_keys", "unexpected_keys", "mismatched_keys"] {
            XCTAssertEqual(io.metadata[kind], "[]", "\(name): diffusers' \(kind)")
        }
        let text = try XCTUnwrap(io.metadata["loaded_keys"], "\(name): no loaded_keys in io.safetensors")
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]])
        let diffusers = try list.map { pair -> String in
            let key = try XCTUnwrap(pair.first as? String), shape = try XCTUnwrap(pair.last as? [Int])
            return "\(key) \(shape)"
        }
        let dscript = model.stateDict().map { "\($0.0) \($0.1.shape)" }.sorted()
        XCTAssertEqual(dscript, diffusers.sorted(), "\(name): dscript's state dict vs the keys diffusers loaded")
    }

    func testUNetWritesCommittedFolder() throws {
        let model = try Self.makeUNet()
        try checkWritesCommittedFolder("unet", model)
        try checkDiffusersKeys("unet", model)
    }

    func testAutoencoderKLWritesCommittedFolder() throws {
        let model = try Self.makeVAE()
        try checkWritesCommittedFolder("vae", model)
        try checkDiffusersKeys("vae", model)
    }

    /// (b) dscript's load of its own folder gives what diffusers computed from it.
    func testUNetMatchesDiffusersOnDscriptFolder() throws {
        let (loaded, io) = try ModelGoldenTests.fixture("from_dscript/unet")
        let unet = try XCTUnwrap(loaded as? UNet2DModel)
        let x = try XCTUnwrap(io["x"]), t = try XCTUnwrap(io["t"])
        XCTAssertLessThan(try ModelGoldenTests.maxDiff(try unet.forward(x, t: t), io["out"]), 1e-4, "tensor t")
        XCTAssertLessThan(try ModelGoldenTests.maxDiff(try unet.forward(x, t: Tensor(37)), io["out_t37"]), 1e-4, "scalar t")
    }

    func testAutoencoderKLMatchesDiffusersOnDscriptFolder() throws {
        let (loaded, io) = try ModelGoldenTests.fixture("from_dscript/vae")
        let vae = try XCTUnwrap(loaded as? AutoencoderKL)
        let x = try XCTUnwrap(io["x"]), z = try XCTUnwrap(io["z"])
        let (mean, logvar) = try vae.encode(x)
        XCTAssertLessThan(try ModelGoldenTests.maxDiff(mean, io["mean"]), 1e-4, "mean")
        XCTAssertLessThan(try ModelGoldenTests.maxDiff(logvar, io["logvar"]), 1e-4, "logvar")
        XCTAssertLessThan(try ModelGoldenTests.maxDiff(try vae.decode(z), io["decoded"]), 1e-4, "decode(z)")
    }
}
