import DSBindings
import DSLanguage
import Foundation
import XCTest

/// Runs the binding golden scripts (`Tests/scripts/{tensor,autograd,nn}`) through the interpreter
/// with `Bindings.install(in:)` and checks their `# expect:` / `# expect error:` lines. (The
/// project-wide runner, `ScriptGoldenTests`, runs every area; this one reports binding failures
/// by file, and works before that runner exists.)
final class BindingGoldenTests: XCTestCase {
    static let areas = ["tensor", "autograd", "nn"]

    static var scriptsRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")
    }

    func testBindingGoldenScripts() throws {
        var checked = 0
        for area in BindingGoldenTests.areas {
            let folder = BindingGoldenTests.scriptsRoot.appendingPathComponent(area)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dscript") }.sorted()
            for file in files {
                let path = folder.appendingPathComponent(file).path
                if let problem = try BindingGoldenTests.check(path) { XCTFail("\(area)/\(file): \(problem)") }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// nil when the script's output and error match its expectations, else what differs.
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
            if let e = expectedError {
                let first = rendered.split(separator: "\n").first.map(String.init) ?? ""
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
