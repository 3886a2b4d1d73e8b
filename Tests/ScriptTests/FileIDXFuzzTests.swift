import DSEngine
import Foundation
import XCTest
@testable import DSBindings

/// A seeded generated corpus for the IDX reader (plain and gzipped): flipped bytes, truncations and
/// insertions of the fixtures. Every case must either read or be refused with a `FormatError`;
/// a trap would end the test process. An input that ever crashes goes into the fixtures for good.
final class FileIDXFuzzTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func mutate(_ original: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = original
        for _ in 0...random.below(3) {
            switch random.below(3) {
            case 0 where !bytes.isEmpty: bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
            default:
                let at = random.below(bytes.count + 1)
                bytes.insert(contentsOf: (0..<random.below(9)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            }
        }
        return bytes
    }

    func testMutatedIDXFilesAreReadOrRefused() throws {
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FileFormatTests.fixture("files/tiny-images-idx3-ubyte"))))
        let gzipped = [UInt8](try Data(contentsOf: URL(fileURLWithPath: FileFormatTests.fixture("files/tiny-images-idx3-ubyte.gz"))))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-idx-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = SplitMix(state: 2026)
        var read = 0, refused = 0
        for i in 0..<3000 {
            let mutated = Self.mutate(i % 3 == 0 ? gzipped : plain, &random)
            do {
                if i % 3 == 0 {
                    let path = folder.appendingPathComponent("case.gz").path
                    try Data(mutated).write(to: URL(fileURLWithPath: path))
                    _ = try IDXFile.read(path: path)
                } else {
                    _ = try IDXFile.parse(mutated)
                }
                read += 1
            } catch is FormatError {
                refused += 1
            }
        }
        XCTAssertEqual(read + refused, 3000)
        XCTAssertGreaterThan(refused, 1000, "most mutations must be refused")
        XCTAssertGreaterThan(read, 0, "some mutations (in the data bytes) still read")
    }
}
