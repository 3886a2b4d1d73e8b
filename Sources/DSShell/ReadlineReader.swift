#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CReadline

/// The terminal `LineReader`: GNU readline (line editing, reverse search, tab completion) with
/// history kept in `~/.dscript_history`.
///
/// It uses readline's callback interface around `poll`, so that Ctrl-C at the prompt (which
/// interrupts `poll`) can clear the line without longjmp. Readline's C callbacks cannot capture
/// Swift context: the completion function and the finished line live in file-private globals.
public final class ReadlineReader: LineReader {
    /// Entries kept in the history file.
    public static let historyLimit: Int32 = 2000
    let historyPath: String?
    private var lastEntry: String?

    public init(historyPath: String? = System.homeDirectory().map { $0 + "/.dscript_history" }) {
        self.historyPath = historyPath
        rl_readline_name = UnsafePointer(ReadlineStrings.name)
        rl_catch_signals = 0  // Ctrl-C is ours (see `Interrupts`)
        rl_attempted_completion_function = attemptCompletion
        rl_completer_word_break_characters = UnsafePointer(ReadlineStrings.wordBreaks)
        rl_completion_word_break_hook = chooseWordBreaks
        using_history()
        stifle_history(Self.historyLimit)
        if let historyPath {
            if System.kind(of: historyPath) == .missing {
                _ = write_history(historyPath)  // append_history needs the file to exist
            } else {
                _ = read_history(historyPath)
            }
        }
        Interrupts.install()
    }

    /// Sets what tab completes: given the word under the cursor and whether the line is a REPL
    /// command (starts with `:`), the full candidates.
    public func setCompletion(_ source: @escaping (_ word: String, _ lineBeforeWord: String) -> [String]) {
        completionSource = source
    }

    public func readLine(prompt: String) throws -> String? {
        fflush(stdout)
        finishedLine = nil
        lineDone = false
        Interrupts.setPrompt(true)
        defer { Interrupts.setPrompt(false) }
        rl_callback_handler_install(prompt, lineHandler)
        defer { rl_callback_handler_remove() }
        let input = rl_instream.map { fileno($0) } ?? 0
        while !lineDone {
            var descriptors = [
                pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: Interrupts.wakeDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if Interrupts.takePromptInterrupt() {
                // Ctrl-C: forget the line, leave readline's state clean, start a fresh prompt.
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_replace_line("", 0)
                rl_callback_handler_remove()
                fputs("^C\n", stdout)
                fflush(stdout)
                throw LineInterrupted()
            }
            if ready < 0 {
                if errno == EINTR { continue }  // another signal (SIGWINCH, ...)
                return nil
            }
            if descriptors[0].revents != 0 { rl_callback_read_char() }
        }
        return finishedLine  // nil: Ctrl-D (readline has ended the prompt line)
    }

    public func addHistory(_ line: String) {
        guard !line.allSatisfy({ $0 == " " || $0 == "\t" }), line != lastEntry else { return }
        lastEntry = line
        add_history(line)
        if let historyPath {
            _ = append_history(1, historyPath)
            _ = history_truncate_file(historyPath, Self.historyLimit)
        }
    }
}

/// C strings that readline keeps pointers to for the life of the process.
private enum ReadlineStrings {
    /// Everything that ends a word except `.` (members are completed as `a.b`) and `_`.
    static let wordBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"\\'`@$><=;|&{}()[],+-*/%!~^:#")
    /// After `:load `, a word is a file name.
    static let pathWordBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n")
    static let name: UnsafeMutablePointer<CChar> = strdup("dscript")
}

private var finishedLine: String?
private var lineDone = false
private var completionSource: (String, String) -> [String] = { _, _ in [] }
private var completionMatches: [String] = []
private var completionIndex = 0

private func lineHandler(_ raw: UnsafeMutablePointer<CChar>?) {
    if let raw {
        finishedLine = String(cString: raw)
        free(raw)
    } else {
        finishedLine = nil
    }
    lineDone = true
    rl_callback_handler_remove()  // so readline does not redisplay the prompt on its own
}

private func chooseWordBreaks() -> UnsafeMutablePointer<CChar>? {
    isLoadCommand() ? ReadlineStrings.pathWordBreaks : ReadlineStrings.wordBreaks
}

/// True when the line being edited is `:load ...` (file names are completed).
private func isLoadCommand() -> Bool {
    guard let buffer = rl_line_buffer else { return false }
    return strncmp(buffer, ":load ", 6) == 0
}

private func attemptCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    if isLoadCommand() { return nil }  // readline's own file-name completion
    rl_attempted_completion_over = 1  // no fallback to file names
    rl_completion_append_character = 0
    let word = text.map { String(cString: $0) } ?? ""
    var before = ""
    if let buffer = rl_line_buffer, start > 0 {
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(start))
        before = String(decoding: bytes, as: UTF8.self)
    }
    completionMatches = completionSource(word, before)
    completionIndex = 0
    guard !completionMatches.isEmpty else { return nil }
    return rl_completion_matches(text, completionGenerator)
}

private func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 { completionIndex = 0 }
    guard completionIndex < completionMatches.count else { return nil }
    let match = completionMatches[completionIndex]
    completionIndex += 1
    return strdup(match)
}
