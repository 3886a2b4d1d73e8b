import Foundation
import XCTest
@testable import DSEngine

/// dscript writes, dscript (and, through scripts/make-format-fixtures.py --check, Python) reads back.
/// With DSCRIPT_FORMATS_OUT=DIR the written files and written.json stay in DIR for that check.
final class FormatsRoundTripTests: XCTestCase {
    var written: [String: Any] = [:]

    func remember(_ file: String, dtype: String, metadata: [String: String] = [:], _ tensors: [(String, Tensor)]) {
        written[file] = [
            "dtype": dtype, "metadata": metadata,
            "tensors": tensors.map { ["name": $0.0, "shape": $0.1.shape, "bits": $0.1.scalars.map { Int($0.bitPattern) }] },
        ]
    }

    func saveManifest(_ folder: String) throws {
        let data = try JSONSerialization.data(withJSONObject: written, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: folder + "/written.json"))
    }

    func testSafetensorsF32IsByteIdenticalToTheReferenceWriter() throws {
        let reference = try Safetensors.read(path: FormatsFixtures.path("f32_onemeta.safetensors"))
        let tensors = reference.tensors.map { ($0.name, $0.tensor) }
        let bytes = try Safetensors.serialize(tensors, metadata: ["format": "pt"])
        XCTAssertEqual(bytes, try FormatsFixtures.bytes("f32_onemeta.safetensors"))
    }

    func testSafetensorsWriteAndReadBack() throws {
        let folder = try formatsTemporaryFolder()
        let tensors: [(String, Tensor)] = [
            ("unet.conv_in.weight", Tensor(shape: [2, 3], scalars: [1, -2, 0.1, 65504, 1e-8, -0])),
            ("a.bias", Tensor(shape: [3], scalars: [0.5, .infinity, -3])),
            ("scalar", Tensor(shape: [], scalars: [7])),
            ("empty", Tensor(shape: [0, 4], scalars: [])),
        ]
        let metadata = ["format": "pt", "quote\"and\\slash\n": "ünïcode ᾱ"]
        for dtype in SafetensorsDtype.writable {
            let file = "roundtrip_\(dtype.rawValue).safetensors"
            try Safetensors.write(tensors, metadata: metadata, dtype: dtype, to: folder + "/" + file)
            let read = try Safetensors.read(path: folder + "/" + file)
            XCTAssertEqual(read.metadata, metadata)
            // Written sorted by name, as the reference writer does.
            XCTAssertEqual(read.tensors.map(\.name), ["a.bias", "empty", "scalar", "unet.conv_in.weight"])
            for (name, tensor) in tensors {
                let round: (Float) -> Float = {
                    switch dtype {
                    case .f16: return { HalfPrecision.float(fromHalf: HalfPrecision.half(from: $0)) }
                    case .bf16: return { HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: $0)) }
                    default: return { $0 }
                    }
                }()
                XCTAssertEqual(read[name]?.shape, tensor.shape)
                XCTAssertEqual(read[name]?.scalars.map(\.bitPattern), tensor.scalars.map { round($0).bitPattern }, "\(dtype) \(name)")
                XCTAssertEqual(read.tensors.first { $0.name == name }?.dtype, dtype.rawValue)
            }
            let header = try Safetensors.parseHeaderLength(folder + "/" + file)
            XCTAssertEqual(header % 8, 0, "header padded to a multiple of 8")
            remember(file, dtype: dtype.rawValue, metadata: metadata,
                     read.tensors.map { ($0.name, $0.tensor) })
        }
        // One metadata key: --check also compares the bytes with safetensors.numpy's writer.
        try Safetensors.write(tensors, metadata: ["format": "pt"], to: folder + "/plain.safetensors")
        remember("plain.safetensors", dtype: "F32", metadata: ["format": "pt"], tensors)
        try saveManifestAndNpy(folder)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "atomic writes leave no temporary files")
        if ProcessInfo.processInfo.environment["DSCRIPT_FORMATS_OUT"] == nil {
            try FileManager.default.removeItem(atPath: folder)
        }
    }

    func saveManifestAndNpy(_ folder: String) throws {
        let arrays: [(String, Tensor)] = [
            ("matrix.npy", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6.5])),
            ("rank0.npy", Tensor(shape: [], scalars: [4.25])),
            ("empty.npy", Tensor(shape: [0, 3], scalars: [])),
            ("long.npy", Tensor(shape: [123456789 % 1000, 1], scalars: (0..<789).map(Float.init))),
        ]
        for (file, tensor) in arrays {
            try Npy.write(tensor, to: folder + "/" + file)
            let back = try Npy.read(path: folder + "/" + file)
            XCTAssertEqual(back.tensor.shape, tensor.shape)
            XCTAssertEqual(back.tensor.scalars, tensor.scalars)
            XCTAssertEqual(back.descr, "<f4")
            written[file] = ["tensors": [["name": "", "shape": tensor.shape, "bits": tensor.scalars.map { Int($0.bitPattern) }]]]
        }
        try saveManifest(folder)
    }

    func testNpyIsByteIdenticalToNpSave() throws {
        for file in ["f4.npy", "rank0.npy", "empty.npy", "v2.npy"] {
            let read = try Npy.read(path: FormatsFixtures.path(file))
            let bytes = Npy.serialize(read.tensor)
            if file == "v2.npy" {
                // np.save would pick version 1.0 for this array; only the data must agree.
                XCTAssertEqual(Array(bytes.suffix(20)), Array(try FormatsFixtures.bytes(file).suffix(20)))
            } else {
                XCTAssertEqual(bytes, try FormatsFixtures.bytes(file), file)
                XCTAssertEqual(Npy.header(shape: read.tensor.shape).count % 64, 0)
            }
        }
    }

    func testWriterRefusals() throws {
        let t = Tensor(shape: [1], scalars: [1])
        XCTAssertEqual(formatErrorMessage { try Safetensors.serialize([("a", t), ("a", t)]) }, "two tensors are named \"a\"")
        XCTAssertEqual(formatErrorMessage { try Safetensors.serialize([("__metadata__", t)]) }, "a tensor cannot be named __metadata__")
        XCTAssertEqual(formatErrorMessage { try Safetensors.serialize([("a", t)], dtype: .i64) },
                       "cannot write dtype I64: dscript writes F32, F16 or BF16")
        let missing = "/nonexistent-dscript-folder/x.safetensors"
        XCTAssertTrue(formatErrorMessage { try Safetensors.write([("a", t)], to: missing) }.hasPrefix("\(missing): cannot create"))
        XCTAssertTrue(formatErrorMessage { try Npy.write(t, to: "/nonexistent-dscript-folder/x.npy") }.contains("cannot create"))
        XCTAssertTrue(formatErrorMessage { try Safetensors.read(path: "/nonexistent-dscript-folder/x.safetensors") }.contains("cannot open"))
        XCTAssertTrue(formatErrorMessage { try Safetensors.read(path: FormatsFixtures.folder) }.hasSuffix("not a regular file"))
    }

    func testOverwriteReplacesTheFile() throws {
        let folder = try formatsTemporaryFolder()
        defer { if ProcessInfo.processInfo.environment["DSCRIPT_FORMATS_OUT"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let path = folder + "/over.npy"
        try Npy.write(Tensor(shape: [3], scalars: [1, 2, 3]), to: path)
        try Npy.write(Tensor(shape: [1], scalars: [9]), to: path)
        XCTAssertEqual(try Npy.read(path: path).tensor.scalars, [9])
    }
}
