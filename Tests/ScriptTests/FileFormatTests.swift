import DSBindings
import Foundation
import XCTest

/// `save` / `load` / `load_idx` / `stats` on real files, and `dscript --stats` through the process.
final class FileFormatTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ path: String) -> String { root.appendingPathComponent("Fixtures/" + path).path }
    static let unet = fixture("models/unet_attn/diffusion_pytorch_model.safetensors")

    /// Rows checked against numpy over the file diffusers wrote (float16 weights):
    /// `load_file(path)[k].astype(float64)`: mean, std(ddof=1), min, max, sqrt(sum(a*a)), '%.4g'.
    func testStatsCommandOnDiffusersCheckpoint() throws {
        let run = try runDscript(["--stats", Self.unet])
        XCTAssertEqual(run.status, 0, run.errors)
        let lines = run.output.split(separator: "\n").map(String.init)
        func row(_ name: String) -> [String]? {
            lines.first { $0.hasPrefix(name + " ") }?.split(separator: " ").map(String.init)
        }
        XCTAssertEqual(row("conv_in.bias"), ["conv_in.bias", "[16]", "F16", "-0.09574", "0.1995", "-0.3215", "0.2269", "0.8623", "0"])
        XCTAssertEqual(row("conv_in.weight"), ["conv_in.weight", "[16,", "1,", "3,", "3]", "F16", "-0.007309", "0.1926", "-0.3325", "0.3313", "2.305", "0"])
        XCTAssertEqual(row("up_blocks.1.resnets.1.time_emb_proj.weight")?.suffix(6),
                       ["0.001995", "0.07229", "-0.1249", "0.1248", "2.313", "0"])
        // numpy: len(d) == 144, sum(v.size) == 176849; more than 40 rows → grouped with subtotals.
        XCTAssertEqual(lines.last, "total: 144 tensors, 176,849 parameters")
        XCTAssertTrue(lines.contains("  conv_in: 2 tensors, 160 parameters"))
    }

    func testScriptStatsOfLoadedCheckpointMatchesCommand() throws {
        let script = try runDscript(["-e", "stats(load(\"\(Self.unet)\"))"])
        let command = try runDscript(["--stats", Self.unet])
        XCTAssertEqual(script.status, 0, script.errors)
        XCTAssertEqual(script.output, command.output)
    }

    func testStatsCommandOnNpyAndBadFiles() throws {
        let npy = try runDscript(["--stats", Self.fixture("files/small.npy")])
        XCTAssertEqual(npy.status, 0, npy.errors)
        XCTAssertTrue(npy.output.contains("small.npy  [2, 2]  <f8"), npy.output)

        let folder = try temporaryFolder(self)
        let hostile = folder.appendingPathComponent("bad.safetensors")
        // Header length far beyond the file: refused, not allocated.
        try Data([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x7b, 0x7d]).write(to: hostile)
        let bad = try runDscript(["--stats", hostile.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.errors.hasPrefix("dscript: \(hostile.path): "), bad.errors)

        let missing = try runDscript(["--stats", folder.appendingPathComponent("none.safetensors").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.errors.contains("No such file or directory"), missing.errors)

        let directory = try runDscript(["--stats", folder.path])
        XCTAssertEqual(directory.status, 1)
        XCTAssertTrue(directory.errors.contains("unknown file type"), directory.errors)

        let dirNamed = folder.appendingPathComponent("d.safetensors")
        try FileManager.default.createDirectory(at: dirNamed, withIntermediateDirectories: false)
        let dirRun = try runDscript(["--stats", dirNamed.path])
        XCTAssertEqual(dirRun.status, 1, dirRun.output)
        XCTAssertFalse(dirRun.errors.isEmpty)
    }

    func testLoadHostileSafetensorsIsAScriptError() throws {
        let folder = try temporaryFolder(self)
        let path = folder.appendingPathComponent("h.safetensors").path
        try Data([0x10, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4]}}".utf8))
            .write(to: URL(fileURLWithPath: path))
        let run = try runDscript(["-e", "try { load(\"\(path)\") } catch e { print(\"refused\") }"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, "refused\n")
    }

    func testLoadIDXPlainAndGzipped() throws {
        let code = """
            let a = load_idx("\(Self.fixture("files/tiny-images-idx3-ubyte"))")
            let b = load("\(Self.fixture("files/tiny-images-idx3-ubyte.gz"))")
            print(a.shape, (a - b).abs().max().item(), a[1, 2, 3].item())
            print(load_idx("\(Self.fixture("files/tiny-labels-idx1-ubyte.gz"))").tolist())
            print(load_idx("\(Self.fixture("files/tiny-floats.idx"))").tolist())
            """
        let run = try runDscript(["-e", code])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, "[2, 3, 4] 0 23\n[7, 2, 1]\n[1.5, -2.25]\n")
    }

    func testHostileIDXFilesAreRefused() throws {
        let folder = try temporaryFolder(self)
        let cases: [(String, [UInt8], String)] = [
            ("big-ubyte", [0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "too large"),
            ("short-ubyte", [0, 0, 8, 1, 0, 0, 0, 9, 1, 2], "need 9"),
            ("type-ubyte", [0, 0, 0x42, 1, 0, 0, 0, 0], "element type"),
            ("bad.idx.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3], "gzip"),
        ]
        for (name, bytes, message) in cases {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let run = try runDscript(["-e", "try { load_idx(\"\(path)\") } catch e { print(e) }"])
            XCTAssertEqual(run.status, 0, run.errors)
            XCTAssertTrue(run.output.contains(message), "\(name): \(run.output)")
        }
    }
}
