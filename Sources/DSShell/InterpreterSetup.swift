import DSBindings
import DSLanguage
import DSLimits

/// Makes an interpreter the way the command line and the REPL use it: every built-in installed,
/// `args` defined, and `import` able to find `DSCRIPT_PATH` folders and the standard library.
public enum InterpreterSetup {
    /// An interpreter with bindings installed and import paths set.
    public static func make(
        settings: RuntimeSettings, output: TextSink = StandardStreams.output,
        errorOutput: TextSink = StandardStreams.error, environment: (String) -> String? = System.environment
    ) -> Interpreter {
        if let bytes = settings.maxMemory { MemoryBudget.bytes = bytes }   // process-wide, as ulimit is
        let interpreter = Interpreter(settings: settings, output: output, errorOutput: errorOutput)
        Bindings.install(in: interpreter)
        if interpreter.global("args") == nil {
            interpreter.define("args", .list(ListObject(settings.scriptArguments.map { .string($0) })))
        }
        interpreter.importPaths = importPaths(environment: environment)
        return interpreter
    }

    /// `DSCRIPT_PATH` entries, then the first standard library folder found. (The importing
    /// script's own folder is searched first by the interpreter itself.)
    public static func importPaths(environment: (String) -> String? = System.environment) -> [String] {
        var paths: [String] = []
        if let list = environment("DSCRIPT_PATH") {
            paths += list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        }
        if let stdlib = standardLibraryFolder() { paths.append(stdlib) }
        return paths
    }

    /// `stdlib/` next to the executable, in `../share/dscript/`, or in the source tree of a
    /// development build.
    public static func standardLibraryFolder() -> String? {
        var candidates: [String] = []
        if let exe = System.executablePath() {
            let folder = System.directoryName(exe)
            candidates.append(folder + "/stdlib")
            candidates.append(folder + "/../share/dscript/stdlib")
        }
        candidates.append(sourceTreeRoot + "/stdlib")
        return candidates.first(where: System.isDirectory)
    }

    /// The repository root this file was compiled in (`Sources/DSShell/` is two levels down).
    static let sourceTreeRoot: String = {
        var path = "\(#filePath)"
        for _ in 0..<3 { path = System.directoryName(path) }
        return path
    }()
}
