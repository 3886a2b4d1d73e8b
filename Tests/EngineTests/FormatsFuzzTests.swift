import Foundation
import XCTest
@testable import DSEngine

/// A deterministic generated corpus: valid fixture files with bytes flipped, replaced, inserted,
/// deleted and truncated at seeded positions. Reading must succeed or throw `FormatError`, never trap.
///
/// `DSCRIPT_FUZZ_CASES=N` runs N cases per seed file instead of the default; with
/// `DSCRIPT_FUZZ_TRACE=FILE` each case is written to FILE before it is read, so a case that crashes
/// the process can be kept in Tests/Fixtures/formats/regressions/ (which testRegressions reads).
final class FormatsFuzzTests: XCTestCase {
    /// SplitMix64: small, seeded, the same on every platform.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let interesting: [UInt8] = Array("{}[]\":,-0123456789 eE.\\u".utf8) + [0, 0x7F, 0x80, 0xFF]

    /// One mutated copy of `seed`; `hot` is the length of the header region, where most mutations land.
    static func mutate(_ seed: [UInt8], hot: Int, rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        for _ in 0...rng.below(3) {
            let inHeader = rng.below(10) < 8 && hot > 0
            let position = inHeader ? rng.below(min(hot, b.count)) : rng.below(b.count)
            switch rng.below(8) {
            case 0 where !b.isEmpty: b[position] ^= UInt8(1 << rng.below(8))
            case 1 where !b.isEmpty: b[position] = interesting[rng.below(interesting.count)]
            case 2 where !b.isEmpty:
                // Change a digit into another digit: the JSON stays valid, shapes and offsets lie.
                let digits = b.indices.filter { $0 < hot && b[$0] >= 0x30 && b[$0] <= 0x39 }
                if let k = digits.isEmpty ? nil : digits[rng.below(digits.count)] { b[k] = UInt8(0x30 + rng.below(10)) }
            case 3: b.insert(contentsOf: (0...rng.below(8)).map { _ in interesting[rng.below(interesting.count)] }, at: min(position, b.count))
            case 4 where !b.isEmpty: b.removeSubrange(position..<min(b.count, position + 1 + rng.below(16)))
            case 5: b = Array(b.prefix(rng.below(b.count + 1)))
            case 6 where b.count >= 8:
                // Lie about the header length (safetensors) or the npy header length field.
                let lies: [UInt64] = [0, 1, 7, UInt64(b.count), UInt64(b.count) - 8, UInt64(b.count) + 1, UInt64.max, 100_000_000, rng.next()]
                let lie = lies[rng.below(lies.count)]
                for k in 0..<8 { b[k] = UInt8(truncatingIfNeeded: lie >> (8 * k)) }
            default: b.append(UInt8(truncatingIfNeeded: rng.next()))
            }
        }
        return b
    }

    /// `hot` is the header length where most mutations land; by default the npy header or the
    /// safetensors length prefix plus the header it counts.
    func run(_ file: String, cases: Int, seed: UInt64, hot: Int? = nil,
             read: ([UInt8]) throws -> [(shape: [Int], count: Int)]) throws {
        let original = try FormatsFixtures.bytes(file)
        let hot = hot ?? (file.hasSuffix(".npy") ? 128 : 8 + Int(original.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.1) << (8 * $1.0) }))
        let trace = ProcessInfo.processInfo.environment["DSCRIPT_FUZZ_TRACE"]
        var rng = SplitMix64(state: seed)
        var accepted = 0, refused = 0
        for _ in 0..<cases {
            let mutated = FormatsFuzzTests.mutate(original, hot: hot, rng: &rng)
            if let trace { FileManager.default.createFile(atPath: trace, contents: Data(mutated)) }
            do {
                for t in try read(mutated) {
                    XCTAssertEqual(t.shape.reduce(1, *), t.count, "\(file): a tensor whose shape disagrees with its data")
                }
                accepted += 1
            } catch is FormatError {
                refused += 1
            } catch {
                XCTFail("\(file): unexpected error type \(error)")
            }
        }
        XCTAssertEqual(accepted + refused, cases)
        XCTAssertGreaterThan(refused, cases / 4, "\(file): the mutations should mostly break the file")
    }

    var casesPerFile: Int { Int(ProcessInfo.processInfo.environment["DSCRIPT_FUZZ_CASES"] ?? "") ?? 600 }

    func testSafetensorsCorpus() throws {
        for (k, file) in ["all_dtypes.safetensors", "f32_meta.safetensors"].enumerated() {
            try run(file, cases: casesPerFile, seed: 0x5AFE + UInt64(k)) { bytes in
                try Safetensors.read(bytes: bytes).tensors.map { ($0.tensor.shape, $0.tensor.count) }
            }
        }
    }

    func testNpyCorpus() throws {
        for (k, file) in ["f4.npy", "fortran.npy", "v3.npy", "big_endian.npy"].enumerated() {
            try run(file, cases: casesPerFile, seed: 0x4E50 + UInt64(k)) { bytes in
                let a = try Npy.read(bytes: bytes)
                return [(a.tensor.shape, a.tensor.count)]
            }
        }
    }

    /// IDX (MNIST's format), plain and gzipped; the plain header is the magic and three dimensions.
    func testIDXCorpus() throws {
        for (k, file) in ["../files/tiny-images-idx3-ubyte", "../files/tiny-images-idx3-ubyte.gz"].enumerated() {
            try run(file, cases: casesPerFile, seed: 0x1D3 + UInt64(k), hot: 16) { bytes in
                let t = try IDXFile.read(bytes: bytes, name: file)
                return [(t.shape, t.count)]
            }
        }
    }

    /// PyTorch checkpoints (zip and legacy formats, a nested .ckpt): mutations land anywhere.
    func testTorchCorpus() throws {
        for (k, file) in ["../torch/state_zip.pt", "../torch/state_legacy.pt", "../torch/checkpoint.ckpt"].enumerated() {
            let count = try FormatsFixtures.bytes(file).count
            try run(file, cases: casesPerFile, seed: 0x7047 + UInt64(k), hot: count) { bytes in
                try bytes.withUnsafeBytes { raw in
                    TorchCheckpoint.tensors(in: try TorchCheckpoint.read(bytes: raw)).map { ($0.tensor.shape, $0.tensor.count) }
                }
            }
        }
    }

    /// Inputs that once crashed a reader; each must now be read or refused.
    func testRegressions() throws {
        let folder = FormatsFixtures.path("regressions")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for file in files where !file.hasPrefix(".") && file != "README.md" {
            let bytes = try FormatsFixtures.bytes("regressions/" + file)
            _ = try? Safetensors.read(bytes: bytes)
            _ = try? Npy.read(bytes: bytes)
            _ = try? IDXFile.read(bytes: bytes, name: file)
            _ = try? bytes.withUnsafeBytes { try TorchCheckpoint.read(bytes: $0) }
        }
    }
}
