/// Where the REPL gets its lines: readline on a terminal, a list of lines in tests.
public protocol LineReader: AnyObject {
    /// The next line, without its newline; nil at the end of input (Ctrl-D).
    /// Throws `LineInterrupted` when Ctrl-C is pressed at the prompt.
    func readLine(prompt: String) throws -> String?
    /// Remembers an entered line (readline history, `~/.dscript_history`).
    func addHistory(_ line: String)
}

/// Ctrl-C at the prompt: the REPL drops what was typed and shows a fresh prompt.
public struct LineInterrupted: Error {
    public init() {}
}

/// A `LineReader` that replays lines given in advance and records the prompts it was asked
/// with; the line `ScriptedLineReader.controlC` stands for pressing Ctrl-C at the prompt.
public final class ScriptedLineReader: LineReader {
    public static let controlC = "\u{03}"

    private var lines: [String]
    private var position = 0
    public private(set) var prompts: [String] = []
    public private(set) var history: [String] = []

    public init(_ lines: [String]) { self.lines = lines }

    public func readLine(prompt: String) throws -> String? {
        prompts.append(prompt)
        guard position < lines.count else { return nil }
        let line = lines[position]
        position += 1
        if line == Self.controlC { throw LineInterrupted() }
        return line
    }

    public func addHistory(_ line: String) { history.append(line) }
}
