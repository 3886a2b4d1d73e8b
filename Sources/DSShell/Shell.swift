#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSEngine
import DSLanguage

/// The `dscript` executable: parses the command line, runs a program or the REPL on a large
/// stack, and exits with 0 (success), 1 (script error) or 2 (bad usage).
public enum Shell {
    /// Entry point of the executable; never returns.
    public static func main() -> Never {
        let invocation = Invocation.parse(Array(CommandLine.arguments.dropFirst()))
        // On a terminal, each printed line shows at once (a training loop's progress); into a
        // pipe or file, output stays block-buffered.
        let output: TextSink = invocation.settings.interactiveOutputStream
            ? LineBufferedSink(StandardStreams.output) : StandardStreams.output
        var status: Int32 = 0
        System.runOnLargeStack {
            status = run(invocation, output: output)
        }
        StandardStreams.output.flush()
        StandardStreams.error.flush()
        exit(status)
    }

    /// Carries out `invocation`; returns the exit status.
    public static func run(
        _ invocation: Invocation, output: TextSink = StandardStreams.output,
        errorOutput: TextSink = StandardStreams.error
    ) -> Int32 {
        let settings = invocation.settings
        switch invocation.mode {
        case .message(let text, let status):
            let sink = status == 0 ? output : errorOutput
            sink.write(text.hasSuffix("\n") ? text : text + "\n")
            sink.flush()
            return status
        case .kernel(let connectionFile):
            return JupyterKernel.run(connectionFile: connectionFile, settings: settings, errorOutput: errorOutput)
        case .installKernel(let location):
            return KernelSpec.install(at: location, output: output, errorOutput: errorOutput)
        case .version:
            if settings.threads > 0 { Engine.threads = settings.threads }
            output.write(CommandLineOptions.version + "\n" + MachineConfiguration.current.report + "\n")
            output.flush()
            return 0
        case .stats(let path):
            return StatsCommand.run(path: path, settings: settings, output: output, errorOutput: errorOutput)
        case .repl:
            let interpreter = InterpreterSetup.make(settings: settings, output: output, errorOutput: errorOutput)
            let repl = REPL(
                interpreter: interpreter, reader: ReadlineReader(), output: output, errorOutput: errorOutput,
                color: settings.color, interruptible: true)
            return repl.run()
        case .file(let path):
            return runProgram(settings: settings, output: output, errorOutput: errorOutput) {
                try SourceLoader.load(path: path)
            }
        case .code(let code):
            return runProgram(settings: settings, output: output, errorOutput: errorOutput) {
                Source(name: "-e", text: code)
            }
        case .standardInput:
            return runProgram(settings: settings, output: output, errorOutput: errorOutput) {
                try SourceLoader.loadStandardInput()
            }
        }
    }

    /// Loads and runs one program; reports any error on `errorOutput`.
    static func runProgram(
        settings: RuntimeSettings, output: TextSink, errorOutput: TextSink, load: () throws -> Source
    ) -> Int32 {
        let source: Source
        do {
            source = try load()
        } catch {
            errorOutput.write("dscript: \(error)\n")
            errorOutput.flush()
            return 1
        }
        let interpreter = InterpreterSetup.make(settings: settings, output: output, errorOutput: errorOutput)
        defer { interpreter.flush(); output.flush() }
        Interrupts.install()  // Ctrl-C stops the script with "interrupted" and where it was
        do {
            try Interrupts.whileRunning(interpreter) { _ = try interpreter.run(source) }
            return 0
        } catch {
            return report(error, interpreter: interpreter, errorOutput: errorOutput, color: settings.color)
        }
    }

    /// Prints an error thrown by the interpreter; returns the exit status it means: `exit(n)` → n,
    /// Ctrl-C → 130, any other error → 1.
    static func report(_ error: Error, interpreter: Interpreter, errorOutput: TextSink, color: Bool) -> Int32 {
        interpreter.flush()
        if let scriptError = error as? ScriptError, case .exit(let code) = scriptError.kind {
            return code
        }
        errorOutput.write(renderError(error, color: color))
        errorOutput.flush()
        if let scriptError = error as? ScriptError, scriptError.kind == .interrupted { return 130 }
        return 1
    }

    /// The rendered diagnostics of `error`, ending in a newline; a plain message when the
    /// interpreter produced no diagnostics.
    static func renderError(_ error: Error, color: Bool) -> String {
        let diagnostics = Interpreter.diagnostics(for: error)
        var text = diagnostics.isEmpty ? "" : Interpreter.render(diagnostics, color: color)
        if text.isEmpty { text = "error: \(error)" }
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}

/// Passes text on to `base` and flushes it at the end of every line.
final class LineBufferedSink: TextSink {
    let base: TextSink
    init(_ base: TextSink) { self.base = base }

    func write(_ text: String) {
        base.write(text)
        if text.utf8.contains(UInt8(ascii: "\n")) { base.flush() }
    }

    func flush() { base.flush() }
}
