import DSBindings
import DSLanguage
import Foundation
import XCTest

/// Runs the golden scripts of `Tests/scripts/pictures` and `Tests/scripts/charts` with
/// `Bindings.install(in:)` (colour off, seed 0) and checks their `# expect:` and
/// `# expect error:` lines, reporting failures by file.
final class PictureGoldenTests: XCTestCase {
    static let areas = ["pictures", "charts"]

    static var scriptsRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")
    }

    func testPictureAndChartGoldenScripts() throws {
        var checked = 0
        for area in PictureGoldenTests.areas {
            let folder = PictureGoldenTests.scriptsRoot.appendingPathComponent(area)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dscript") }.sorted()
            for file in files {
                if let problem = try PictureGoldenTests.check(folder.appendingPathComponent(file).path) {
                    XCTFail("\(area)/\(file): \(problem)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 8)
    }

    /// nil when the script's standard output and error match its expectations, else what differs.
    static func check(_ path: String) throws -> String? {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var expected: [String] = []
        var expectedError: (position: String, message: String)? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = line.range(of: "# expect: ") {
                expected.append(String(line[r.upperBound...]))
            } else if let r = line.range(of: "# expect error: ") {
                let rest = line[r.upperBound...]
                let space = rest.firstIndex(of: " ") ?? rest.endIndex
                expectedError = (String(rest[..<space]), String(rest[space...]).trimmingCharacters(in: .whitespaces))
            }
        }
        let sink = StringSink()
        var settings = RuntimeSettings()
        settings.seed = 0
        let interpreter = Interpreter(settings: settings, output: sink, errorOutput: StringSink())
        Bindings.install(in: interpreter)
        var failure: String? = nil
        do {
            try interpreter.run(Source(name: path, text: text))
            if let e = expectedError { failure = "expected error at \(e.position) '\(e.message)', but the script succeeded" }
        } catch {
            let rendered = Interpreter.render(Interpreter.diagnostics(for: error), color: false)
            let first = rendered.split(separator: "\n").first.map(String.init) ?? ""
            if let e = expectedError {
                if !first.contains(":\(e.position): error:") || !first.contains(e.message) {
                    failure = "expected error at \(e.position) '\(e.message)', got: \(first)"
                }
            } else {
                failure = "unexpected error: \(rendered)"
            }
        }
        interpreter.flush()
        var got = sink.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if got.last == "" { got.removeLast() }
        for (i, line) in expected.enumerated() {
            guard i < got.count else { return (failure.map { $0 + "; " } ?? "") + "output ended before expected line \(i + 1): \(line)" }
            if got[i] != line { return "output line \(i + 1): expected\n\(line)\ngot\n\(got[i])" + (failure.map { "\n" + $0 } ?? "") }
        }
        if got.count > expected.count { return "unexpected output line \(expected.count + 1): \(got[expected.count])" }
        return failure
    }
}
