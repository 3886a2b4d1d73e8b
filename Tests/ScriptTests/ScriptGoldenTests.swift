import Foundation
import Testing
import DSBindings
import DSLanguage

/// Runs every `Tests/scripts/**/*.dscript` in a fresh interpreter (with the bindings installed) and
/// checks it against the expectations written inside it:
///
/// - `# expect: TEXT` — the next line of standard output is TEXT (all output must be expected);
/// - `# expect error: LINE:COL MESSAGE` — the script fails; the first diagnostic is at LINE:COL
///   and its message contains MESSAGE;
/// - `# expect stderr: TEXT` — standard error contains TEXT;
/// - `# not under sanitizer: KIND` — not run when `scripts/sanitize` runs the suite under KIND
///   (`DSCRIPT_SANITIZER`), for what the sanitizer itself cannot do.
///
/// Every call of a built-in that declares its result type (`zeros(...shape) -> tensor`) must return
/// a value of that type.
struct ScriptGoldenTests {
    static let scriptsFolder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    static let scripts: [String] = {
        let root = scriptsFolder.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".dscript") }.sorted()
    }()

    @Test("golden script", arguments: scripts)
    func golden(_ relativePath: String) throws {
        let path = Self.scriptsFolder.appendingPathComponent(relativePath).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expectations = Expectations(parsing: text)
        if let sanitizer = ProcessInfo.processInfo.environment["DSCRIPT_SANITIZER"],
           expectations.notUnderSanitizers.contains(sanitizer) { return }
        let run = ScriptRun.run(path: path, text: text)

        let actualLines = run.output.isEmpty ? [] : run.output.split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).dropLastIfEmpty()
        #expect(actualLines == expectations.output, """
            \(relativePath): standard output differs
            --- expected ---
            \(expectations.output.joined(separator: "\n"))
            --- actual ---
            \(actualLines.joined(separator: "\n"))
            --- diagnostics ---
            \(run.rendered)
            """)

        if let wanted = expectations.error {
            guard let first = run.diagnostics.first else {
                Issue.record("\(relativePath): expected error at \(wanted.line):\(wanted.column) '\(wanted.message)' but the script succeeded")
                return
            }
            let line = first.span?.line ?? 0, column = first.span?.column ?? 0
            #expect(line == wanted.line && column == wanted.column && first.message.contains(wanted.message), """
                \(relativePath): expected error at \(wanted.line):\(wanted.column) containing '\(wanted.message)'
                got: \(line):\(column) \(first.message)
                \(run.rendered)
                """)
        } else {
            #expect(run.diagnostics.isEmpty, "\(relativePath): unexpected error\n\(run.rendered)")
        }
        let mismatches = run.resultTypeMismatches.joined(separator: ", ")
        #expect(run.resultTypeMismatches.isEmpty, "\(relativePath): built-ins returned other types than they declare: \(mismatches)")
        for wanted in expectations.errorOutput {
            #expect(run.errorOutput.contains(wanted), "\(relativePath): standard error lacks '\(wanted)'\n--- stderr ---\n\(run.errorOutput)")
        }
    }
}

/// The expectations written in a script.
struct Expectations {
    var output: [String] = []
    var error: (line: Int, column: Int, message: String)?
    var errorOutput: [String] = []
    var notUnderSanitizers: [String] = []

    init(parsing text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = line.range(of: "# not under sanitizer: ") {
                notUnderSanitizers.append(String(line[r.upperBound...]))
            } else if let r = line.range(of: "# expect error: ") {
                let rest = line[r.upperBound...]
                let parts = rest.split(separator: " ", maxSplits: 1)
                let place = parts.first?.split(separator: ":") ?? []
                if place.count == 2, let l = Int(place[0]), let c = Int(place[1]) {
                    error = (l, c, parts.count > 1 ? String(parts[1]) : "")
                }
            } else if let r = line.range(of: "# expect stderr: ") {
                errorOutput.append(String(line[r.upperBound...]))
            } else if let r = line.range(of: "# expect:") {
                var rest = line[r.upperBound...]
                if rest.first == " " { rest = rest.dropFirst() }
                output.append(String(rest))
            }
        }
    }
}

/// One run of a script, on a thread with a large stack (as the shell runs scripts).
final class ScriptRun: @unchecked Sendable {
    var output = ""
    var errorOutput = ""
    var diagnostics: [Diagnostic] = []
    var rendered = ""
    /// `NAME -> DECLARED returned ACTUAL` for each call of a built-in whose declared result type
    /// (`-> tensor`, which completion trusts) was not the type it returned.
    var resultTypeMismatches: [String] = []

    static func run(path: String, text: String) -> ScriptRun {
        let result = ScriptRun()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let out = StringSink(), err = StringSink()
            let interpreter = Interpreter(output: out, errorOutput: err)
            Bindings.install(in: interpreter)
            interpreter.builtinResultObserver = { builtin, value in
                if let declared = builtin.resultType, value.typeName != declared {
                    result.resultTypeMismatches.append("\(builtin.name) -> \(declared) returned \(value.typeName)")
                }
            }
            let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("stdlib").path
            interpreter.importPaths = [stdlib]
            do {
                try interpreter.run(Source(name: path, text: text))
            } catch {
                result.diagnostics = Interpreter.diagnostics(for: error)
                result.rendered = Interpreter.render(result.diagnostics, color: false)
            }
            interpreter.flush()
            result.output = out.text
            result.errorOutput = err.text
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
        done.wait()
        return result
    }
}

extension Array where Element == String {
    func dropLastIfEmpty() -> [String] {
        if last == "" { return Array(dropLast()) }
        return self
    }
}
