@testable import DSShell
import XCTest

/// Small pieces of the shell: durations, program decoding, import paths.
final class ShellUnitTests: XCTestCase {
    func testDurationsHaveThreeSignificantDigits() {
        XCTAssertEqual(formatDuration(850e-6), "850 µs")
        XCTAssertEqual(formatDuration(35.24e-6), "35.2 µs")
        XCTAssertEqual(formatDuration(0.01234), "12.3 ms")
        XCTAssertEqual(formatDuration(1.5249), "1.52 s")
        XCTAssertEqual(formatDuration(125.4), "125 s")
        XCTAssertEqual(fixed(-0.5, decimals: 2), "-0.50")
        XCTAssertEqual(fixed(2.0, decimals: 0), "2")
    }

    func testDecodingNamesTheLineOfTheFirstBadByte() {
        XCTAssertThrowsError(try SourceLoader.decode(Array("a\nb\n".utf8) + [0xC3, 0x28], name: "x.dscript")) { error in
            XCTAssertEqual("\(error)", "x.dscript:3: not valid UTF-8 text")
        }
        XCTAssertThrowsError(try SourceLoader.decode([0x61, 0x00], name: "nul.dscript")) { error in
            XCTAssertEqual("\(error)", "nul.dscript: contains NUL bytes; not a text file")
        }
    }

    func testDecodingDropsAByteOrderMarkAndKeepsUnicode() throws {
        XCTAssertEqual(try SourceLoader.decode([0xEF, 0xBB, 0xBF] + Array("let ᾱ = 1".utf8), name: "bom"), "let ᾱ = 1")
    }

    func testImportPathsFromTheEnvironment() {
        let paths = InterpreterSetup.importPaths { $0 == "DSCRIPT_PATH" ? "/a:/b::/c" : nil }
        XCTAssertEqual(Array(paths.prefix(3)), ["/a", "/b", "/c"])
        XCTAssertLessThanOrEqual(paths.count, 4, "at most one standard library folder follows")
    }

    func testDevelopmentBuildFindsTheSourceTree() {
        // Tests/ScriptTests/ → the repository root, which holds Package.swift.
        XCTAssertTrue(System.kind(of: InterpreterSetup.sourceTreeRoot + "/Package.swift") == .file, InterpreterSetup.sourceTreeRoot)
    }
}
