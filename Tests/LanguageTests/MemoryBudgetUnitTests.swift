import DSLimits
import XCTest

/// The memory budget's arithmetic: sizes as people write them, the default, and refusals.
/// (The budget in a real process under `ulimit -v` is tested in ScriptTests/MemoryBudgetTests.)
final class MemoryBudgetUnitTests: XCTestCase {
    func testSizesParseAsPowersOf1024() {
        XCTAssertEqual(ByteCount.parse("8G"), 8 << 30)
        XCTAssertEqual(ByteCount.parse("512m"), 512 << 20)
        XCTAssertEqual(ByteCount.parse("1.5GiB"), 3 << 29)
        XCTAssertEqual(ByteCount.parse("64KB"), 64 << 10)
        XCTAssertEqual(ByteCount.parse("1T"), 1 << 40)
        XCTAssertEqual(ByteCount.parse("100000"), 100_000)
        for bad in ["", "G", "-1G", "abc", "1e30", "inf", "nan", "8X"] { XCTAssertNil(ByteCount.parse(bad), bad) }
        XCTAssertNil(ByteCount.bytes(-1))
        XCTAssertNil(ByteCount.bytes(.infinity))
        XCTAssertEqual(ByteCount.bytes(1e9), 1_000_000_000)
    }

    func testSizesFormatInBinaryUnits() {
        XCTAssertEqual(ByteCount.format(100), "100 B")
        XCTAssertEqual(ByteCount.format(1536), "1.5 KiB")
        XCTAssertEqual(ByteCount.format(4_000_000), "3.8 MiB")
        XCTAssertEqual(ByteCount.format(3_072_000_000), "2.9 GiB")
        XCTAssertEqual(ByteCount.format(512 << 30), "512 GiB")
        XCTAssertEqual(ByteCount.format(1 << 40), "1 TiB")
    }

    func testDefaultIsTheSmallerOfPhysicalMemoryAndTheAddressSpaceLimit() {
        let known = [MemoryBudget.physicalMemory, MemoryBudget.addressSpaceLimit].compactMap { $0 }
        XCTAssertFalse(known.isEmpty)
        XCTAssertEqual(MemoryBudget.defaultBytes, max(known.min()!, MemoryBudget.minimumBytes))
        XCTAssertEqual(MemoryBudget.maxCount(stride: 4), MemoryBudget.bytes / 4)
    }

    func testValidation() throws {
        XCTAssertEqual(try MemoryBudget.validated("2G"), 2 << 30)
        XCTAssertThrowsError(try MemoryBudget.validated("1M")) { error in
            XCTAssertEqual("\(error)", "a memory budget must be at least 16 MiB, got 1 MiB")
        }
        XCTAssertThrowsError(try MemoryBudget.validated("lots")) { error in
            XCTAssertEqual("\(error)", "'lots' is not a size (write a number of bytes, or 512M, 8G, 1.5T)")
        }
    }

    func testRequestsLargerThanTheBudgetAreRefusedAtOnce() throws {
        XCTAssertNoThrow(try MemoryBudget.reserve(count: 1000, stride: 8, for: "a small list"))
        XCTAssertThrowsError(try MemoryBudget.reserve(count: Int.max / 2, stride: 16, for: "a list")) { error in
            XCTAssertTrue("\(error)".hasPrefix("a list would take 8388608 TiB, more than the whole memory budget of"), "\(error)")
        }
        XCTAssertThrowsError(try MemoryBudget.reserve(bytes: MemoryBudget.bytes + 1, for: "a string")) { error in
            XCTAssertTrue("\(error)".contains("more than the whole memory budget"), "\(error)")
        }
    }

    func testTheProcessIsMeasured() throws {
        #if os(Linux)
        let usage = try XCTUnwrap(MemoryUsage.current())
        let before = try XCTUnwrap(MemoryUsage.current()).heapInUse
        let block = [UInt8](repeating: 1, count: 64 << 20)
        let during = try XCTUnwrap(MemoryUsage.current()).heapInUse
        XCTAssertEqual(block.count, 64 << 20)
        // Other tests may allocate at the same time: the block shows, within a margin.
        XCTAssertGreaterThan(during - before, 48 << 20)
        XCTAssertGreaterThan(usage.addressSpace, usage.heapInUse / 2)
        #endif
    }
}
