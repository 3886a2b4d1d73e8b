import DSEngine
import DSLanguage

/// One `:` command of the REPL: its name (and short aliases), the arguments it takes, what it does
/// for `:help`, and the code that runs it. `REPLCommand.all` is the one list of commands: the
/// REPL dispatches through it, `:help` lists it, completion offers its names.
struct REPLCommand {
    let name: String
    let aliases: [String]
    /// What follows the name in the usage line (`[NAME]`, `EXPR`), or nothing.
    let arguments: String
    let summary: String
    /// Runs the command with the rest of the line; false when the REPL should stop.
    let run: (REPL, String) -> Bool

    init(_ name: String, aliases: [String] = [], arguments: String = "", _ summary: String, run: @escaping (REPL, String) -> Bool) {
        self.name = name
        self.aliases = aliases
        self.arguments = arguments
        self.summary = summary
        self.run = run
    }

    /// `:help [NAME]`.
    var usage: String { ":" + name + (arguments.isEmpty ? "" : " " + arguments) }

    static let all: [REPLCommand] = [
        REPLCommand("help", aliases: ["h", "?"], arguments: "[NAME]", "this overview, or the signature, summary and example of NAME") { repl, argument in
            repl.showHelp(argument)
            return true
        },
        REPLCommand("vars", "your variables with their type and value") { repl, _ in
            repl.showVariables()
            return true
        },
        REPLCommand("time", arguments: "EXPR", "run EXPR and print how long it took") { repl, argument in
            repl.time(argument)
        },
        REPLCommand("load", arguments: "FILE", "run FILE with the REPL's variables") { repl, argument in
            repl.load(argument)
        },
        REPLCommand("info", "the machine: CPU, the kernels' instruction level, BLAS and its kernels, threads") { repl, _ in
            repl.say(MachineConfiguration.current.report)
            return true
        },
        REPLCommand("reset", "forget every variable you defined") { repl, _ in
            repl.reset()
            return true
        },
        REPLCommand("quit", aliases: ["q", "exit"], "leave (also Ctrl-D)") { _, _ in false },
    ]

    /// The command called `name` or one of its aliases.
    static func named(_ name: String) -> REPLCommand? {
        all.first { $0.name == name || $0.aliases.contains(name) }
    }
}
