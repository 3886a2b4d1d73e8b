import DSLanguage
import DSShell
import Foundation
import XCTest

/// What a REPL session printed.
struct SessionResult {
    var output: String
    var errors: String
    var status: Int32
    var reader: ScriptedLineReader
    var interpreter: Interpreter
}

/// Runs a REPL over `lines` with scripted input and captured output (no banner).
func replSession(_ lines: [String], setup: (Interpreter) -> Void = { _ in }) -> SessionResult {
    let output = StringSink()
    let errors = StringSink()
    let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: output, errorOutput: errors)
    setup(interpreter)
    let reader = ScriptedLineReader(lines)
    let repl = REPL(interpreter: interpreter, reader: reader, output: output, errorOutput: errors)
    let status = repl.run(banner: false)
    return SessionResult(output: output.text, errors: errors.text, status: status, reader: reader, interpreter: interpreter)
}

/// What a run of the `dscript` executable printed.
struct ProcessResult {
    var status: Int32
    var output: String
    var errors: String
}

enum Executable {
    /// The `dscript` built next to the test bundle (`swift build` makes it; `scripts/test` builds first).
    static var url: URL? {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("dscript"))
        }
        // The source tree: Tests/ScriptTests/ → .build/debug/dscript
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/dscript"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// Runs `dscript arguments...` with `input` on standard input, in `directory` when given; with
/// `addressSpaceKiB`, under `ulimit -v` of that many KiB (through /bin/sh).
func runDscript(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                directory: URL? = nil, addressSpaceKiB: Int? = nil) throws -> ProcessResult {
    guard let executable = Executable.url else {
        XCTFail("the dscript executable was not found; run `swift build` before `swift test` (scripts/test does)")
        throw XCTSkip("no executable")
    }
    let process = Process()
    if let addressSpaceKiB {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(addressSpaceKiB) && exec \"$0\" \"$@\"", executable.path] + arguments
    } else {
        process.executableURL = executable
        process.arguments = arguments
    }
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    // scripts/sanitize checks the dscript processes for leaks (the test process itself keeps
    // XCTest's test-case objects, which LeakSanitizer would report).
    if let options = env["DSCRIPT_CHILD_ASAN_OPTIONS"] { env["ASAN_OPTIONS"] = options }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a chatty process cannot block on a full pipe.
    final class Collected: @unchecked Sendable { var data = Data() }
    let errorData = Collected()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errorData.data = stderr.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        output: String(decoding: outputData, as: UTF8.self),
        errors: String(decoding: errorData.data, as: UTF8.self))
}

/// A fresh temporary folder, removed at the end of the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Writes `text` to `name` in `folder`; returns the path.
@discardableResult
func writeFile(_ folder: URL, _ name: String, _ text: String) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}
