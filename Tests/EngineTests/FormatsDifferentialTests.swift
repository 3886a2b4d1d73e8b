import Foundation
import XCTest
@testable import DSEngine

/// dscript's readers against the reference readers on mutated files made by
/// scripts/make-format-fixtures.py: safetensors 0.8.0 (`safetensors.torch.load`, 400 files) and
/// numpy 2.4.6 (`np.load(allow_pickle=False)`, 300 files). Both must accept the same files (with the
/// same shapes) and refuse the same files. The one documented difference: dtypes dscript does not
/// read (F8_*, C64, complex, strings, datetimes, ...) are refused by name.
final class FormatsDifferentialTests: XCTestCase {
    struct Case: Decodable {
        var hex: String
        var ok: Bool
        var error: String
        var tensors: [String: [Int]]
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { i in
            func value(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
            return value(digits[i]) << 4 | value(digits[i + 1])
        }
    }

    struct NpyCase: Decodable {
        var hex: String
        var ok: Bool
        var error: String
        var shape: [Int]
    }

    func testNpyAgreesWithNumpy() throws {
        let cases: [NpyCase] = try FormatsFixtures.decoded("npy_differential.json")
        XCTAssertEqual(cases.count, 300)
        var unsupported = 0, accepted = 0
        for (k, c) in cases.enumerated() {
            do {
                let read = try Npy.read(bytes: FormatsDifferentialTests.bytes(c.hex))
                accepted += 1
                XCTAssertTrue(c.ok, "case \(k): dscript accepts, numpy refuses: \(c.error)")
                XCTAssertEqual(read.tensor.shape, c.shape, "case \(k)")
            } catch let error as FormatError {
                if c.ok && error.message.hasPrefix("unsupported dtype descr") {
                    unsupported += 1
                    continue
                }
                XCTAssertFalse(c.ok, "case \(k): dscript refuses (\(error.message)), numpy accepts")
            }
        }
        XCTAssertLessThan(unsupported, 30)
        XCTAssertGreaterThan(accepted, 150, "the corpus holds both accepted and refused files")
        print("npy differential: \(accepted) accepted, \(unsupported) unsupported dtypes, \(cases.count - accepted - unsupported) refused")
    }

    func testAgreesWithTheReferenceReader() throws {
        let cases: [Case] = try FormatsFixtures.decoded("differential.json")
        XCTAssertEqual(cases.count, 400)
        var agreed = 0, unsupported = 0
        for (k, c) in cases.enumerated() {
            let bytes = FormatsDifferentialTests.bytes(c.hex)
            do {
                let read = try Safetensors.read(bytes: bytes)
                XCTAssertTrue(c.ok, "case \(k): dscript accepts, the reference refuses: \(c.error)")
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: read.tensors.map { ($0.name, $0.tensor.shape) }), c.tensors, "case \(k)")
                agreed += 1
            } catch let error as FormatError {
                if c.ok && error.message.contains("is not supported by dscript") {
                    unsupported += 1
                    continue
                }
                XCTAssertFalse(c.ok, "case \(k): dscript refuses (\(error.message)), the reference accepts")
                agreed += 1
            }
        }
        XCTAssertEqual(agreed + unsupported, cases.count)
        XCTAssertLessThan(unsupported, 40)
        print("safetensors differential: \(agreed) agreed, \(unsupported) unsupported dtypes")
    }
}
