import Foundation
import XCTest
@testable import DSEngine

/// The weights-only reader of `torch.save` files against files torch wrote
/// (`Tests/Fixtures/torch/`, made by `/work/venv-ref/bin/python scripts/make-torch-fixtures.py`).
final class TorchCheckpointTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch").path

    static func path(_ name: String) -> String { folder + "/" + name }

    static let expected: [String: Tensor] = {
        guard let file = try? Safetensors.read(path: path("expected.safetensors")) else { return [:] }
        return Dictionary(file.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }()

    func checkState(_ name: String) throws {
        let value = try TorchCheckpoint.read(path: Self.path(name))
        let tensors = TorchCheckpoint.tensors(in: value)
        // state_dict() order: the Sequential's own buffer first, then its children's parameters.
        XCTAssertEqual(tensors.map(\.name), ["steps", "0.weight", "0.bias", "1.weight", "1.bias", "half", "bf16", "double",
                                             "int32", "uint8", "bool", "transposed", "view_a", "view_b", "scalar", "empty"], name)
        for (key, tensor, _) in tensors {
            let want = try XCTUnwrap(Self.expected[key], key)
            XCTAssertEqual(tensor.shape, want.shape, "\(name) \(key) shape")
            XCTAssertEqual(tensor.scalars.map(\.bitPattern), want.scalars.map(\.bitPattern), "\(name) \(key) values")
        }
        let dtypes = Dictionary(tensors.map { ($0.name, $0.dtype) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(dtypes["half"], .f16)
        XCTAssertEqual(dtypes["bf16"], .bf16)
        XCTAssertEqual(dtypes["steps"], .i64)
        XCTAssertEqual(dtypes["bool"], .bool)
    }

    func testZipFormat() throws { try checkState("state_zip.pt") }

    func testLegacyFormat() throws { try checkState("state_legacy.pt") }

    /// A Lightning-style checkpoint: numbers, strings, lists, tuples and nested dicts keep their values.
    func testNestedCheckpoint() throws {
        let value = try TorchCheckpoint.read(path: Self.path("checkpoint.ckpt"))
        guard case .dict(let items) = value else { return XCTFail("not a dict") }
        func item(_ key: String) -> TorchValue? {
            items.first { if case .string(key) = $0.key { return true } else { return false } }?.value
        }
        guard case .int(3)? = item("epoch"), case .int(1200)? = item("global_step"), case .float(1e-4)? = item("lr"),
              case .string("run-α")? = item("name"), case .int(1 << 40)? = item("big"), case .int(-5)? = item("negative") else {
            return XCTFail("scalar values differ")
        }
        guard case .list(let flags)? = item("flags"), flags.count == 3, case .bool(true) = flags[0], case .none = flags[1],
              case .float(2.5) = flags[2], case .list(let shape)? = item("shape"), shape.count == 2 else {
            return XCTFail("flags or shape differ")
        }
        let tensors = TorchCheckpoint.tensors(in: value)
        XCTAssertEqual(tensors.map(\.name), ["state_dict.0.weight", "state_dict.0.bias", "nested.a.b"])
        for (key, tensor, _) in tensors {
            XCTAssertEqual(tensor.scalars, try XCTUnwrap(Self.expected[key]).scalars, key)
        }
    }

    func assertRefused(_ name: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TorchCheckpoint.read(path: Self.path(name)), file: file, line: line) { error in
            XCTAssertTrue(error is FormatError, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(fragment), "\(name): \(error)", file: file, line: line)
        }
    }

    /// Files that would run code under pickle.load are refused, naming what they wanted to call.
    func testHostileFilesAreRefusedByName() throws {
        assertRefused("evil_system.pt", "refused global 'posix.system'")
        assertRefused("evil_legacy.pt", "refused global 'posix.system'")
        assertRefused("evil_numpy.pt", "refused global 'numpy._core.multiarray._reconstruct'")
        assertRefused("torchscript.pt", "TorchScript archive")
        assertRefused("evil_eval.pkl", "not a PyTorch checkpoint")
        // The bare pickle itself, read by the pickle machine, is refused at its global (protocol 2 names
        // builtins by their Python 2 module, __builtin__).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.path("evil_eval.pkl")))
        try bytes.withUnsafeBytes { raw in
            var machine = WeightsPickle(raw) { _ in throw FormatError("no storages here") }
            XCTAssertThrowsError(try machine.load()) { XCTAssertTrue("\($0)".contains("refused global '__builtin__.eval'"), "\($0)") }
        }
    }

    /// Every prefix of a valid file is read or refused with a FormatError.
    func testTruncatedFiles() throws {
        for name in ["state_zip.pt", "state_legacy.pt"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path(name))))
            var refused = 0
            for n in stride(from: 0, to: bytes.count, by: 7) {
                do { _ = try bytes.prefix(n).withUnsafeBytes { try TorchCheckpoint.read(bytes: $0) } } catch is FormatError {
                    refused += 1
                }
            }
            XCTAssertEqual(refused, (bytes.count + 6) / 7, "\(name): every proper prefix is refused")
        }
    }

    /// Hand-made pickles: cycles, deep nesting, huge lengths, views past their storage.
    func testHostilePickles() throws {
        func read(_ bytes: [UInt8]) throws -> TorchValue {
            try bytes.withUnsafeBytes { raw in
                var machine = WeightsPickle(raw) { _ in throw FormatError("no storages") }
                return try TorchCheckpoint.convert(machine.load(), pickleSize: bytes.count)
            }
        }
        func refused(_ bytes: [UInt8], _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try read(bytes), line: line) { XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line) }
        }
        // a = []; a.append(a): EMPTY_LIST, BINPUT 0, BINGET 0, APPEND, STOP
        refused([0x80, 0x02, 0x5D, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2E], "shared values nested inside each other")
        refused([0x80, 0x02] + [UInt8](repeating: 0x5D, count: 300) + [UInt8](repeating: 0x61, count: 299) + [0x2E], "nested more than")
        refused([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41, 0x2E], "runs past the end")
        refused([0x80, 0x02, 0x68, 0x05, 0x2E], "memo entry 5")
        refused([0x80, 0x02, 0x61, 0x2E], "stack underflow")
        refused([0x80, 0x02, 0x4E], "no STOP")
        refused([0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x2E], "refused global 'os.system'")
        refused([0x80, 0x02, 0x69] + Array("os\nsystem\n".utf8) + [0x2E], "INST")
        // tensors dscript does not read are named as such, not as code that would have to run
        refused([0x80, 0x02, 0x63] + Array("torch._utils\n_rebuild_sparse_tensor\n".utf8) + [0x2E],
                "'torch._utils._rebuild_sparse_tensor' builds sparse tensors, which dscript does not read")
        refused([0x80, 0x02, 0x63] + Array("torch\nComplexFloatStorage\n".utf8) + [0x2E], "complex tensors")
        refused([0x80, 0x02, 0xFF, 0x2E], "unknown opcode 0xff")
        XCTAssertNoThrow(try read([0x80, 0x02, 0x7D, 0x58, 0x01, 0x00, 0x00, 0x00, 0x61, 0x4B, 0x07, 0x73, 0x2E]))
        // Python integers past 64 bits (pickle.dumps(2**64 - 1), a seed torch.initial_seed() may give;
        // -2**65; 10**40) read as the nearest numbers instead of refusing the whole file
        for (bytes, want) in [([0x8A, 0x09] + [UInt8](repeating: 0xFF, count: 8) + [0x00], 18446744073709551615.0),
                              ([0x8A, 0x09] + [UInt8](repeating: 0x00, count: 8) + [0xFE], -36893488147419103232.0),
                              ([0x8A, 0x11, 0, 0, 0, 0, 0, 0x61, 0xF5, 0xB9, 0xAB, 0xBF, 0xA4, 0x5C, 0xC3, 0xF1, 0x29, 0x63, 0x1D], 1e40),
                              (Array("L100000000000000000000L\n".utf8), 1e20)] {
            guard case .float(let x) = try read([0x80, 0x02] + bytes + [0x2E]) else { return XCTFail("\(want) did not read as a number") }
            XCTAssertEqual(x, want, accuracy: want.magnitude * 1e-15)
        }
        // A 'billion laughs': 40 lists, each holding the previous one twice (x = [x, x]), 2^40 values
        // from 331 bytes (it crashed the process, out of memory): EMPTY_LIST, BINPUT 0, then per level
        // EMPTY_LIST, BINGET k, APPEND, BINGET k, APPEND, BINPUT k+1.
        var laughs: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00]
        for k in 0..<40 { laughs += [0x5D, 0x68, UInt8(k), 0x61, 0x68, UInt8(k), 0x61, 0x71, UInt8(k + 1)] }
        refused(laughs + [0x2E], "shared values nested inside each other")
        // the same list referenced twice (not nested) reads: x = [1]; [x, x]
        guard case .list(let pair) = try read([0x80, 0x02, 0x5D, 0x4B, 0x01, 0x61, 0x71, 0x00, 0x5D, 0x68, 0x00, 0x61, 0x68, 0x00, 0x61, 0x2E]),
              pair.count == 2 else { return XCTFail("[x, x] did not read") }
    }
}
