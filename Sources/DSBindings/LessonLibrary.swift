import DSLanguage
import DSRender
import Foundation

/// Lessons (docs/builtins.md § Teaching the math): `lesson(name)` runs `stdlib/lessons/NAME.dscript`,
/// `lessons()` lists them, `step(title, fn)` is one step of a lesson. In the REPL (standard output a
/// terminal) a lesson pauses after each step; headless it runs straight through. A failing `check` fails
/// the lesson.
enum LessonLibrary {
    static let functions: [Builtin] = [
        Builtin("lesson(name)", "runs a lesson from stdlib/lessons (see lessons()); pauses between steps in the REPL",
                example: "lesson(\"forward\")") { a, c in
            let name = try a.string("name")
            let host = try LessonHost.of(c)
            guard let path = LessonHost.find(name) else {
                let known = LessonHost.catalogue().map(\.name).joined(separator: ", ")
                throw a.error("name", "no lesson '\(name)' (lessons: \(known))")
            }
            try host.run(path: path, context: c)
            return .null
        },
        Builtin("lessons(run = false, names = false)",
                "prints the lessons in syllabus order with their titles; run: true runs them all; names: true returns their names instead of printing",
                example: "lessons()\nfor name in lessons(names: true) { print(name) }") { a, c in
            let all = LessonHost.catalogue()
            if try a.bool("names") { return .list(ListObject(all.map { .string($0.name) })) }
            if try a.bool("run") {
                let host = try LessonHost.of(c)
                for entry in all { try host.run(path: entry.path, context: c) }
            } else {
                RichDisplay.table(TextTable(header: ["lesson", "title"], cells: all.map { [$0.name, $0.title] }, leftAligned: 2,
                                            indent: "  ", headerInText: false), context: c)
            }
            return .null  // printed: the REPL echoes nothing more
        },
        Builtin("step(title, body)", "one step of a lesson: prints its number and title, runs body(), pauses in the REPL",
                example: "step(\"variance is preserved\", fn() { check(\"var\", x.var(), 1, tol: 0.05) })") { a, c in
            let title = try a.string("title")
            let body = try a.value("body")
            let host = c.state(LessonHost.self) { LessonHost() }
            if host.stopped { return .null }
            host.stepNumber += 1
            c.write("\n── Step \(host.stepNumber): \(title)\n")
            _ = try c.call(body, Arguments([], functionName: "step"))
            if host.depth > 0 && c.settings.interactiveOutputStream && !c.settings.quiet {
                c.write("   [Enter: next step, q: stop] ")
                host.flush()
                if let reply = readLine(), reply.trimmingCharacters(in: .whitespaces) == "q" { host.stopped = true }
            }
            return .null
        },
    ]

    /// Lets `lesson` run files in this interpreter (called once by `Bindings.install`).
    static func attach(_ interpreter: Interpreter) {
        let host = interpreter.context.state(LessonHost.self) { LessonHost() }
        host.interpreter = interpreter
    }
}

/// Per-interpreter lesson state: the interpreter that runs lesson files and the step counter.
final class LessonHost {
    weak var interpreter: Interpreter?
    var stepNumber = 0
    var depth = 0
    var stopped = false

    static func of(_ context: CallContext) throws -> LessonHost {
        let host = context.state(LessonHost.self) { LessonHost() }
        guard host.interpreter != nil else { throw ScriptError("lessons are not available in this interpreter") }
        return host
    }

    func flush() { interpreter?.flush() }

    /// Runs one lesson file: a title line, its steps, and a closing line.
    func run(path: String, context: CallContext) throws {
        guard let interpreter else { throw ScriptError("lessons are not available in this interpreter") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScriptError("cannot read lesson file \(path)")
        }
        let (savedStep, savedStopped) = (stepNumber, stopped)
        stepNumber = 0
        stopped = false
        depth += 1
        defer { depth -= 1; stepNumber = savedStep; stopped = savedStopped }
        context.write("════ Lesson \(LessonHost.name(of: path)): \(LessonHost.title(of: text))\n")
        try interpreter.run(Source(name: path, text: text))
        context.write(stopped ? "\n(lesson stopped)\n" : "\n════ end of lesson: every check passed\n")
    }

    // MARK: Finding lessons

    /// Folders searched for lessons: `DSCRIPT_LESSONS`, then `stdlib/lessons` beside the executable,
    /// in `../share/dscript/`, and in the source tree.
    static var folders: [String] {
        var list: [String] = []
        if let env = ProcessInfo.processInfo.environment["DSCRIPT_LESSONS"] { list.append(env) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent().path
        list += [exe + "/stdlib/lessons", exe + "/../share/dscript/stdlib/lessons"]
        var root = URL(fileURLWithPath: "\(#filePath)")
        for _ in 0..<3 { root.deleteLastPathComponent() }
        list.append(root.path + "/stdlib/lessons")
        return list
    }

    static func find(_ name: String) -> String? {
        if name.hasSuffix(".dscript"), FileManager.default.fileExists(atPath: name) { return name }
        guard !name.contains("/"), !name.isEmpty else { return nil }
        return folders.map { $0 + "/" + name + ".dscript" }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Every lesson in the first folder that has any, sorted by file name.
    static func catalogue() -> [(name: String, title: String, path: String)] {
        for folder in folders {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            let lessons = files.filter { $0.hasSuffix(".dscript") }.sorted { a, b in
                let (ra, rb) = (rank(name(of: a)), rank(name(of: b)))
                return ra != rb ? ra < rb : a < b
            }
            if lessons.isEmpty { continue }
            return lessons.map { file in
                let path = folder + "/" + file
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                return (name(of: path), title(of: text), path)
            }
        }
        return []
    }

    /// The syllabus order (docs/builtins.md § Teaching the math), then the samplers and guidance
    /// (issue 13); other lessons follow alphabetically.
    static let syllabus = ["probability", "kl", "vae", "forward", "posterior", "elbo", "eps", "sampling",
                           "score", "ode", "vpred", "guidance", "zerosnr"]

    static func rank(_ name: String) -> Int { syllabus.firstIndex(of: name) ?? syllabus.count }

    static func name(of path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// The first comment line of a lesson: `# Lesson: TITLE` or `# TITLE`.
    static func title(of text: String) -> String {
        guard let first = text.split(separator: "\n").first(where: { $0.hasPrefix("#") }) else { return "" }
        var line = first.dropFirst().trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("Lesson:") { line = line.dropFirst(7).trimmingCharacters(in: .whitespaces) }
        return line
    }
}
