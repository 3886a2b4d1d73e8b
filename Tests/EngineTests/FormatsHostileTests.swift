import XCTest
@testable import DSEngine

/// Crafted malformed and hostile files: each is refused with a message naming the problem (and the
/// tensor), none traps or allocates by what the header claims. Also the decided lenient cases.
final class FormatsHostileTests: XCTestCase {
    /// A safetensors file from header text and data; `length` overrides the header length field.
    func st(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        st(Array(header.utf8), data: data, length: length)
    }

    func st(_ header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let n = length ?? UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + header + data
    }

    func stError(_ bytes: [UInt8]) -> String { formatErrorMessage { try Safetensors.read(bytes: bytes) } }

    func tensorEntry(_ name: String, _ dtype: String = "F32", _ shape: String = "[1]", offsets: String) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    let four = [UInt8](repeating: 0, count: 4)

    func testSizesAndLengths() {
        XCTAssertEqual(stError([]), "file too small for a safetensors header: 0 bytes, need at least 8")
        XCTAssertEqual(stError([1, 0, 0, 0, 0, 0, 0]), "file too small for a safetensors header: 7 bytes, need at least 8")
        XCTAssertEqual(stError(st("{}", length: UInt64.max)),
                       "header too large: header length field says 18446744073709551615 bytes, the limit is 100000000")
        XCTAssertEqual(stError(st("{}", length: 100_000_001)),
                       "header too large: header length field says 100000001 bytes, the limit is 100000000")
        XCTAssertEqual(stError(st("{}", length: 100)),
                       "invalid header length: 100 bytes declared, but the file has only 2 after the length field")
        XCTAssertEqual(stError(st("{\"a\":{\"dtype\":\"F32\",\"sha", length: 100)),
                       "invalid header length: 100 bytes declared, but the file has only 24 after the length field")
    }

    func testHeaderText() {
        XCTAssertEqual(stError(st([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])), "header is not valid UTF-8")
        XCTAssertEqual(stError(st("not json")), "invalid JSON in header at byte 1: invalid literal")
        XCTAssertEqual(stError(st("{\"a\" 1}")), "invalid JSON in header at byte 5: expected ':'")
        XCTAssertTrue(stError(st("{\"a\":1,}")).hasPrefix("invalid JSON in header"))
        XCTAssertTrue(stError(st("{\"a\":01}")).contains("leading zero"))
        XCTAssertTrue(stError(st("{} {}")).contains("unexpected text after the JSON value"))
        XCTAssertEqual(stError(st("[]")), "header is not a JSON object")
        XCTAssertEqual(stError(st("\"text\"")), "header is not a JSON object")
        XCTAssertTrue(stError(st("{\"a\":\"\\ud800\"}")).contains("lone surrogate"))
        XCTAssertTrue(stError(st("{\"a\":\"x\ny\"}")).contains("control character"))
        let deep = String(repeating: "[", count: 10_000)
        XCTAssertTrue(stError(st("{\"a\":\(deep)")).contains("nested more than 64 levels"))
        let long = "[" + Array(repeating: "1", count: 5000).joined(separator: ",") + "]"
        XCTAssertTrue(stError(st("{\"a\":{\"dtype\":\"F32\",\"shape\":\(long),\"data_offsets\":[0,4]}}")).contains("array longer than 4096"))
    }

    func testMetadataAndDuplicates() {
        XCTAssertEqual(stError(st("{\"__metadata__\":{\"k\":1}}")), "__metadata__ values must be strings, but \"k\" is a number")
        XCTAssertEqual(stError(st("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}")), "__metadata__ values must be strings, but \"k\" is an object")
        XCTAssertEqual(stError(st("{\"__metadata__\":[\"a\"]}")), "__metadata__ must be an object of strings, got an array")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", offsets: "[0,4]")),\(tensorEntry("a", offsets: "[4,8]"))}", data: four + four)),
                       "duplicate key \"a\" in header")
        XCTAssertEqual(stError(st("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}")), "duplicate key \"k\" in header")
    }

    func testEntries() {
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F128", "[1]", offsets: "[0,16]"))}", data: four + four + four + four)),
                       "tensor \"w\": unknown dtype \"F128\"")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F8_E4M3", "[1]", offsets: "[0,1]"))}", data: [0])),
                       "tensor \"w\": dtype F8_E4M3 is not supported by dscript")
        XCTAssertEqual(stError(st("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: four)), "tensor \"w\": missing \"dtype\"")
        XCTAssertEqual(stError(st("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", data: four)), "tensor \"w\": missing \"shape\"")
        XCTAssertEqual(stError(st("{\"w\":[1,2]}")), "tensor \"w\": entry must be an object, got an array")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", offsets: "[-4,0]"))}")), "tensor \"w\": \"data_offsets\" holds a negative number -4")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F32", "[-1]", offsets: "[0,4]"))}", data: four)), "tensor \"w\": \"shape\" holds a negative number -1")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F32", "[2.5]", offsets: "[0,10]"))}")), "tensor \"w\": \"shape\" must hold integers, found a number")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F32", "[-0]", offsets: "[0,0]"))}")), "tensor \"w\": \"shape\" must hold integers, found a number")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", offsets: "[0,99999999999999999999]"))}")),
                       "tensor \"w\": \"data_offsets\" holds 1e+20, which is too large (at most 2^63 - 1)")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", offsets: "[0,18446744073709551615]"))}")),
                       "tensor \"w\": \"data_offsets\" holds 1.8446744073709552e+19, which is too large (at most 2^63 - 1)")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F32", "[1.0]", offsets: "[0,4]"))}")), "tensor \"w\": \"shape\" must hold integers, found a number")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", offsets: "[0,4,8]"))}", data: four)),
                       "tensor \"w\": \"data_offsets\" must be [BEGIN, END], got 3 numbers")
        XCTAssertEqual(stError(st("{\(tensorEntry("w", "F32", "\"3\"", offsets: "[0,12]"))}")), "tensor \"w\": \"shape\" must be an array of integers")
    }

    func testOffsets() {
        XCTAssertEqual(stError(st("{\(tensorEntry("w", offsets: "[8,4]"))}", data: four + four)),
                       "tensor \"w\": invalid data_offsets [8, 4]: END is before BEGIN")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[2]", offsets: "[0,8]")),\(tensorEntry("b", "F32", "[2]", offsets: "[4,12]"))}", data: four + four + four)),
                       "tensor \"b\": invalid data_offsets [4, 12]: overlaps the previous tensor (expected BEGIN 8)")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", offsets: "[0,4]")),\(tensorEntry("b", offsets: "[8,12]"))}", data: four + four + four)),
                       "tensor \"b\": invalid data_offsets [8, 12]: leaves a hole of 4 bytes before it (expected BEGIN 4)")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", offsets: "[4,8]"))}", data: four + four)),
                       "tensor \"a\": invalid data_offsets [4, 8]: leaves a hole of 4 bytes before it (expected BEGIN 0)")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", offsets: "[0,4]"))}", data: four + [0])),
                       "incomplete metadata: 1 bytes after the last tensor are not covered by any tensor")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[3]", offsets: "[0,12]"))}", data: four)),
                       "file truncated: tensors need 12 bytes of data, the file holds 4")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[3]", offsets: "[0,8]"))}", data: four + four)),
                       "tensor \"a\": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] cover 8")
    }

    func testHugeShapesAllocateNothing() {
        // Shapes past the element limit (`Engine.maxElements`, which follows the memory budget) are refused
        // as the header is read, before any allocation.
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[1099511627776,1099511627776]", offsets: "[0,4]"))}", data: four)),
                       "tensor \"a\": shape [1099511627776, 1099511627776] is too large: over 2^63 elements, more than the limit of \(Engine.maxElements)")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[2147483648,2147483648]", offsets: "[0,4]"))}", data: four)),
                       "tensor \"a\": shape [2147483648, 2147483648] is too large: 4611686018427387904 elements, more than the limit of \(Engine.maxElements)")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[1000000000000]", offsets: "[0,4000000000000]"))}", data: four)),
                       "tensor \"a\": shape [1000000000000] is too large: 1000000000000 elements, more than the limit of \(Engine.maxElements)")
        // A zero-size axis does not hide the others: sum(axis: 1) of [2^62, 0] would be 2^62 elements.
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[4611686018427387904,0]", offsets: "[0,0]"))}")),
                       "tensor \"a\": shape [4611686018427387904, 0] is too large: its nonzero sizes multiply to 4611686018427387904, more than the limit of \(Engine.maxElements) elements")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[4611686018427387904,4,0]", offsets: "[0,0]"))}")),
                       "tensor \"a\": shape [4611686018427387904, 4, 0] is too large: its nonzero sizes multiply to over 2^63, more than the limit of \(Engine.maxElements) elements")
        // Consistent with itself but larger than the file: refused before any allocation.
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[1000000]", offsets: "[0,4000000]"))}", data: four)),
                       "file truncated: tensors need 4000000 bytes of data, the file holds 4")
        XCTAssertEqual(stError(st("{\(tensorEntry("a", "F32", "[1000000000]", offsets: "[0,4]"))}", data: four)),
                       "tensor \"a\": shape [1000000000] of F32 needs 4000000000 bytes, but data_offsets [0, 4] cover 4")
    }

    func testLenientCasesMatchTheReference() throws {
        let one: [UInt8] = [0, 0, 0x80, 0x3F]  // 1.0f
        // Leading whitespace before the JSON (reference test_whitespace_leading_padded_header).
        var read = try Safetensors.read(bytes: st("   \n{\(tensorEntry("w", offsets: "[0,4]"))}", data: one))
        XCTAssertEqual(read["w"]?.scalars, [1])
        // Unknown fields inside an entry are ignored.
        read = try Safetensors.read(bytes: st("{\"w\":{\"dtype\":\"F32\",\"extra\":{\"x\":[1]},\"shape\":[1],\"data_offsets\":[0,4]}}", data: one))
        XCTAssertEqual(read["w"]?.scalars, [1])
        // A header length that is not a multiple of 8 (alignment is a writer convention).
        let header = "{\(tensorEntry("w", offsets: "[0,4]"))}"
        XCTAssertNotEqual(header.utf8.count % 8, 0)
        XCTAssertEqual(try Safetensors.read(bytes: st(header, data: one))["w"]?.scalars, [1])
        // `{}` with no data; null metadata.
        XCTAssertEqual(try Safetensors.read(bytes: st("{}")).tensors.count, 0)
        XCTAssertEqual(try Safetensors.read(bytes: st("{\"__metadata__\":null}")).metadata, [:])
    }

    // MARK: .npy

    func npy(_ header: String, data: [UInt8] = [], major: UInt8 = 1, length: Int? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let n = length ?? h.count
        let lengthBytes: [UInt8] = major == 1 ? [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF)]
            : (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }
        return Npy.magic + [major, 0] + lengthBytes + h + data
    }

    func npyError(_ bytes: [UInt8]) -> String { formatErrorMessage { try Npy.read(bytes: bytes) } }

    /// .npy headers (followed by 4 bytes of data) and the message each is refused with (computed: the
    /// element limit is read when the test runs).
    static var npyHeaderRefusals: [(header: String, message: String)] { [
        ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
         "object arrays (pickled data) are refused: descr |O"),
        ("{'descr': '<U8', 'fortran_order': False, 'shape': (1,), }",
         "unsupported dtype descr \"<U8\" (dscript reads f2 f4 f8 i1-i8 u1-u8 b1)"),
        ("{'descr': '<f4', 'shape': (1,), }",
         "header must have the keys descr, fortran_order and shape"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': True}",
         "header has an unexpected key 'x' (expected descr, fortran_order, shape)"),
        ("{'descr': '<f4', 'fortran_order': 'no', 'shape': (1,), }",
         "header key 'fortran_order' is repeated or has the wrong type"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }",
         "shape [1099511627776, 1099511627776] is too large: over 2^63 elements, more than the limit of \(Engine.maxElements)"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }",
         "file truncated: shape [1000000] of <f4 needs 4000000 bytes of data, the file holds 4"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
         "file truncated: shape [1] of <f8 needs 8 bytes of data, the file holds 4"),
        ("{'descr': '<f+4', 'fortran_order': False, 'shape': (1,), }",
         "unsupported dtype descr \"<f+4\""),
    ] }

    func testNpyRefusals() {
        let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"
        XCTAssertEqual(npyError([]), "not a .npy file (missing the \\x93NUMPY magic)")
        XCTAssertEqual(npyError(Array("PK\u{3}\u{4}xxxxxxxxxx".utf8)), "not a .npy file (missing the \\x93NUMPY magic)")
        XCTAssertEqual(npyError(npy(ok, data: four, major: 4)), "unsupported .npy version 4.0")
        XCTAssertEqual(npyError(Npy.magic + [2, 0, 1]), "file truncated inside the header length")
        XCTAssertEqual(npyError(npy(ok, data: four, major: 2, length: Int(UInt32.max))), "header is 4294967295 bytes, more than the 10000 allowed")
        XCTAssertEqual(npyError(npy(ok, length: 500)), "file truncated: header of 500 bytes declared, 57 present")
        XCTAssertTrue(npyError(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", data: four))
            .contains("expected a string, True, False or a tuple"))
        XCTAssertTrue(npyError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", data: four))
            .contains("shape must hold non-negative integers"))
        XCTAssertTrue(npyError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", data: four))
            .contains("shape must be a tuple"))
        XCTAssertEqual(npyError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 0), }")),
                       "shape [1000000000000, 0] is too large: its nonzero sizes multiply to 1000000000000, more than the limit of \(Engine.maxElements) elements")
        for (header, message) in Self.npyHeaderRefusals {
            XCTAssertEqual(npyError(npy(header, data: four)), message, header)
        }
    }

    func testNpyLenientCases() throws {
        // Bytes after the data are ignored, as np.load ignores them; Python-2 `L` suffixes are read.
        let read = try Npy.read(bytes: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }\n", data: [0, 0, 0x80, 0x3F, 9, 9]))
        XCTAssertEqual(read.tensor.scalars, [1])
        XCTAssertEqual(read.tensor.shape, [1])
        // Double quotes and keys in any order.
        let other = try Npy.read(bytes: npy("{\"shape\": (), \"fortran_order\": True, \"descr\": \"<f4\"}", data: [0, 0, 0x80, 0x3F]))
        XCTAssertEqual(other.tensor.shape, [])
    }
}
