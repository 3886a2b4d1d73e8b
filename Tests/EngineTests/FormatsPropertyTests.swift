import Foundation
import XCTest
@testable import DSEngine

/// Random tensors (every dtype, scalars, zero-size axes, every awkward float) through the writers
/// and readers, bit for bit, against Python's writers and readers (roundtrip.json, made by
/// scripts/make-roundtrip-fixtures.py) and against themselves on a larger seeded set.
final class FormatsPropertyTests: XCTestCase {
    struct Named {
        var name: String
        var shape: [Int]
        var bits: [UInt32]

        init(_ json: [String: Any]) {
            name = json["name"] as? String ?? ""
            shape = json["shape"] as? [Int] ?? []
            bits = (json["bits"] as? [Int] ?? []).map { UInt32($0) }
        }

        var tensor: Tensor { Tensor(shape: shape, scalars: bits.map(Float.init(bitPattern:))) }
    }

    static let cases: [[String: Any]] = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: FormatsFixtures.path("roundtrip.json"))),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return root["cases"] as? [[String: Any]] ?? []
    }()

    static func bytes(_ file: [String: Any]) -> [UInt8] {
        [UInt8](Data(base64Encoded: file["base64"] as? String ?? "") ?? Data())
    }

    static func read(_ file: [String: Any]) -> [Named] { (file["read"] as? [[String: Any]] ?? []).map(Named.init) }

    func assertSame(_ got: [(name: String, tensor: Tensor)], _ want: [Named], _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.map(\.name).sorted(), want.map(\.name).sorted(), what, file: file, line: line)
        for w in want {
            guard let g = got.first(where: { $0.name == w.name })?.tensor else { continue }
            XCTAssertEqual(g.shape, w.shape, "\(what) \(w.name)", file: file, line: line)
            XCTAssertEqual(g.scalars.map(\.bitPattern), w.bits, "\(what) \(w.name)", file: file, line: line)
        }
    }

    /// dscript's files are byte-identical to the reference writers' for the same tensors, so Python
    /// reads them as it reads its own; dscript reads the reference files to the bits Python reads.
    func testAgainstPythonsWritersAndReaders() throws {
        XCTAssertEqual(Self.cases.count, 48, "roundtrip.json is missing or incomplete")
        for (c, testCase) in Self.cases.enumerated() {
            let tensors = (testCase["tensors"] as? [[String: Any]] ?? []).map(Named.init).map { ($0.name, $0.tensor) }
            let files = testCase["files"] as? [String: [String: Any]] ?? [:]
            for dtype in SafetensorsDtype.writable {
                guard let reference = files[dtype.rawValue] else { XCTFail("case \(c): no \(dtype) file"); continue }
                let want = Self.read(reference)
                XCTAssertEqual(try Safetensors.serialize(tensors, dtype: dtype), Self.bytes(reference), "case \(c) \(dtype): bytes")
                assertSame(try Safetensors.read(bytes: Self.bytes(reference)).tensors.map { ($0.name, $0.tensor) }, want, "case \(c) \(dtype): read")
                let own = try Safetensors.read(bytes: try Safetensors.serialize(tensors, dtype: dtype))
                assertSame(own.tensors.map { ($0.name, $0.tensor) }, want, "case \(c) \(dtype): round trip")
                XCTAssertEqual(Set(own.tensors.map(\.dtype)), [dtype.rawValue])
            }
            if let npy = files["npy"], let first = tensors.first {
                XCTAssertEqual(Npy.serialize(first.1), Self.bytes(npy), "case \(c) npy: bytes")
                let want = Self.read(npy)
                assertSame([("", try Npy.read(bytes: Self.bytes(npy)).tensor)], want, "case \(c) npy: read")
                assertSame([("", try Npy.read(bytes: Npy.serialize(first.1)).tensor)], want, "case \(c) npy: round trip")
            }
            for other in testCase["other"] as? [[String: Any]] ?? [] {
                let what = "case \(c) \(other["kind"] ?? "") \(other["dtype"] ?? "")"
                if other["kind"] as? String == "npy" {
                    assertSame([("", try Npy.read(bytes: Self.bytes(other)).tensor)], Self.read(other), what)
                } else {
                    assertSame(try Safetensors.read(bytes: Self.bytes(other)).tensors.map { ($0.name, $0.tensor) }, Self.read(other), what)
                }
            }
        }
    }

    /// A larger seeded set, through bytes and (every 25th case) through files on disk: what is
    /// written reads back bit for bit (float32 exactly, float16 and bfloat16 as their rounding, which
    /// the cases above pin to numpy and torch, NaNs included).
    func testSeededRoundTrips() throws {
        let folder = try formatsTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var rng = FormatsFuzzTests.SplitMix64(state: 20261206)
        let awkward: [Float] = [0, -0, .infinity, -.infinity, .nan, Float(bitPattern: 0xFFC1_2345), Float(bitPattern: 0x7F80_0001),
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, 65504, 65520, 6e-8, 1 + 0x1p-8, 1 + 3 * 0x1p-8]
        func value(_ scale: Float) -> Float {
            switch rng.below(12) {
            case 0, 1: return awkward[rng.below(awkward.count)]
            case 2: return Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))   // any pattern, NaN payloads too
            default: return (Float(rng.below(2_000_001)) / 1_000_000 - 1) * scale
            }
        }
        func rounded(_ dtype: SafetensorsDtype) -> (Float) -> Float {
            switch dtype {
            case .f16: return { HalfPrecision.float(fromHalf: HalfPrecision.half(from: $0)) }
            case .bf16: return { HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: $0)) }
            default: return { $0 }
            }
        }
        for c in 0..<400 {
            var tensors: [(String, Tensor)] = []
            for k in 0...rng.below(3) {
                let shape = (0..<rng.below(5)).map { _ in rng.below(4) }
                let scale = Float(pow(10, Double(rng.below(25)) - 12))
                tensors.append(("c\(c).t\(k)", Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in value(scale) })))
            }
            let onDisk = c % 25 == 0
            for dtype in SafetensorsDtype.writable {
                let back: SafetensorsFile
                if onDisk {
                    let path = folder + "/c\(c)-\(dtype.rawValue).safetensors"
                    try Safetensors.write(tensors, dtype: dtype, to: path)
                    back = try Safetensors.read(path: path)
                } else {
                    back = try Safetensors.read(bytes: try Safetensors.serialize(tensors, dtype: dtype))
                }
                for (name, tensor) in tensors {
                    XCTAssertEqual(back[name]?.shape, tensor.shape, "case \(c) \(dtype) \(name)")
                    XCTAssertEqual(back[name]?.scalars.map(\.bitPattern), tensor.scalars.map { rounded(dtype)($0).bitPattern },
                                   "case \(c) \(dtype) \(name)")
                }
            }
            let first = tensors[0].1
            let back: Tensor
            if onDisk {
                try Npy.write(first, to: folder + "/c\(c).npy")
                back = try Npy.read(path: folder + "/c\(c).npy").tensor
            } else {
                back = try Npy.read(bytes: Npy.serialize(first)).tensor
            }
            XCTAssertEqual(back.shape, first.shape, "case \(c) npy")
            XCTAssertEqual(back.scalars.map(\.bitPattern), first.scalars.map(\.bitPattern), "case \(c) npy")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
    }
}
