import ArgumentParser
import DSLanguage
import DSLimits

/// The command line (docs/shell.md § Command line), parsed by swift-argument-parser.
///
/// Options come before the program; everything after `FILE` (or after `-e CODE`, or `-`) passes
/// through untouched to the script as `args`, so `dscript train.dscript --steps 2000` works.
struct CommandLineOptions: ParsableCommand {
    static let version = "dscript 0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "dscript",
        abstract: "A REPL-driven scripting environment for diffusion models.",
        usage: """
            dscript                          start the REPL
            dscript FILE.dscript [ARGS...]   run a script; ARGS reach it as `args`
            dscript -e CODE [ARGS...]        run CODE
            dscript - [ARGS...]              read the program from standard input
            dscript --stats FILE             print statistics of a .safetensors or .npy file
            dscript --install-kernel [--user | --prefix DIR]   install the Jupyter kernel `dscript`
            """,
        discussion: """
            Exit status: 0 on success, 1 on a script error, 2 on bad usage.
            Environment:
              DSCRIPT_PATH        folders searched by `import`, colon-separated
              NO_COLOR            never colour the output
              DSCRIPT_CPU_LEVEL   baseline or avx2: run lower kernels than the CPU allows
              OMP_NUM_THREADS     compute threads when --threads is not given
              OPENBLAS_CORETYPE   OpenBLAS's kernels (--version shows the ones in use)
            """,
        version: version)

    @Option(name: [.customShort("e"), .customLong("eval")], help: ArgumentHelp("Run CODE.", valueName: "CODE"))
    var code: String?

    // `.unconditional`: a value that starts with a dash (`--seed -1`) is read and judged, not taken
    // for an option ("Missing value").
    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the default random generator.", valueName: "N"))
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Compute threads (0: one per core).", valueName: "N"))
    var threads: Int?

    @Option(name: .customLong("max-memory"), parsing: .unconditional,
            help: ArgumentHelp("Memory budget of lists, strings, dicts and tensors (default: physical memory or ulimit -v).", valueName: "SIZE"))
    var maxMemory: String?

    @Flag(name: .customLong("no-color"), help: "Never colour the output (also: NO_COLOR=1).")
    var noColor = false

    @Flag(name: [.customShort("q"), .long], help: "No progress bars or other chatter on standard error.")
    var quiet = false

    @Option(help: ArgumentHelp("Print statistics of a .safetensors or .npy file.", valueName: "FILE"))
    var stats: String?

    @Flag(name: .customLong("install-kernel"), help: "Install the Jupyter kernel `dscript` (system-wide unless --user or --prefix).")
    var installKernel = false

    @Flag(help: "With --install-kernel: for this user only.")
    var user = false

    @Option(help: ArgumentHelp("With --install-kernel: under DIR/share/jupyter.", valueName: "DIR"))
    var prefix: String?

    @Option(help: ArgumentHelp("Run as a Jupyter kernel (Jupyter starts this from the kernelspec).", valueName: "CONNECTION_FILE"))
    var kernel: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The script (or -), then its arguments.", valueName: "FILE ARGS"))
    var program: [String] = []

    /// `--version` came before the program (the passthrough capture holds it).
    var showVersion = false

    mutating func validate() throws {
        if let threads, threads < 0 {
            throw ValidationError("--threads must be 0 or more, got \(threads)")
        }
        if let maxMemory {
            do { _ = try MemoryBudget.validated(maxMemory) } catch { throw ValidationError("--max-memory: \(error.message)") }
        }
        // The passthrough capture also swallows `--help`, `--version` and unknown options given
        // before the program (the latter are refused in `Invocation.parse`, which sees `--`).
        switch program.first {
        case "--help", "-h": throw CleanExit.helpRequest(self)
        case "--version":
            showVersion = true
            program.removeFirst()
        default: break
        }
        if program.first == "--" { program.removeFirst() }
        if code != nil, stats != nil {
            throw ValidationError("-e and --stats cannot be combined")
        }
        if (user || prefix != nil) && !installKernel {
            throw ValidationError("--user and --prefix go with --install-kernel")
        }
        if user, prefix != nil {
            throw ValidationError("--user and --prefix cannot be combined")
        }
    }
}

/// What the command line asks for, once parsed.
public struct Invocation {
    public enum Mode: Equatable {
        case repl
        case file(String)
        case code(String)
        case standardInput
        case stats(String)
        /// Serve Jupyter with the connection file at this path.
        case kernel(String)
        case installKernel(KernelSpec.Location)
        /// `--version`: the version and the machine configuration (CPU, kernels, BLAS, threads).
        case version
        /// Print `text` to standard output (or standard error when `status` is not 0) and exit.
        case message(text: String, status: Int32)
    }

    public var mode: Mode
    public var settings: RuntimeSettings

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) -> Invocation {
        var settings = RuntimeSettings()
        settings.interactiveOutputStream = System.isTerminal(1)
        settings.interactiveErrorStream = System.isTerminal(2)
        let options: CommandLineOptions
        do {
            options = try CommandLineOptions.parse(arguments)
            if let first = options.program.first, first.hasPrefix("-"), first != "-",
               !isAfterTerminator(first, in: arguments) {
                throw ValidationError("Unknown option '\(first)'")
            }
        } catch {
            let status = CommandLineOptions.exitCode(for: error)
            let text = CommandLineOptions.fullMessage(for: error)
            return Invocation(mode: .message(text: text, status: status == .success ? 0 : 2), settings: settings)
        }
        if let seed = options.seed { settings.seed = seed }
        if let threads = options.threads { settings.threads = threads }
        if let maxMemory = options.maxMemory, let bytes = try? MemoryBudget.validated(maxMemory) { settings.maxMemory = bytes }
        settings.quiet = options.quiet
        let noColorVariable = System.environment("NO_COLOR").map { !$0.isEmpty } ?? false
        settings.color = settings.interactiveErrorStream && !options.noColor && !noColorVariable

        var program = options.program
        let mode: Mode
        if options.installKernel {
            mode = .installKernel(options.user ? .user : options.prefix.map { .prefix($0) } ?? .system)
        } else if let connectionFile = options.kernel {
            // Jupyter reads the kernel's output through messages: no terminal, no colour escapes.
            mode = .kernel(connectionFile)
            settings.interactiveOutputStream = false
            settings.interactiveErrorStream = false
            settings.color = false
        } else if options.showVersion {
            mode = .version
        } else if let path = options.stats {
            mode = .stats(path)
        } else if let code = options.code {
            mode = .code(code)
        } else if let first = program.first {
            program.removeFirst()
            mode = first == "-" ? .standardInput : .file(first)
        } else if !System.isTerminal(0) {
            mode = .standardInput  // `echo 'print(1)' | dscript`
        } else {
            mode = .repl
        }
        settings.scriptArguments = program
        return Invocation(mode: mode, settings: settings)
    }

    /// True when `word` is the first argument after a `--` that ends the options.
    static func isAfterTerminator(_ word: String, in arguments: [String]) -> Bool {
        guard let terminator = arguments.firstIndex(of: "--"), terminator + 1 < arguments.count else { return false }
        return arguments[terminator + 1] == word
    }
}
