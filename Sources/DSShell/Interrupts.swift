#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSEngine
import DSLanguage

/// Ctrl-C in the REPL. One SIGINT handler, installed while the REPL runs, does what the moment
/// calls for: at the prompt it flags the line reader (which clears the line); while code runs it
/// asks the interpreter to stop (`interpreter.interrupt()`) and the engine's long loops to return
/// early (`Engine.requestInterrupt()`, so a product of 4000² matrices stops within milliseconds);
/// both are plain stores, signal-safe. The interpreter raises "interrupted" as soon as the native
/// call returns, before its incomplete result is used. Signal handlers cannot capture Swift
/// context, so the state lives in file-private globals.
enum Interrupts {
    enum Mode: Int32 { case idle = 0, prompt = 1, running = 2 }

    /// Installs the handler (idempotent); the handler does nothing until a mode is set.
    static func install() {
        guard !installed else { return }
        installed = true
        // Touch the globals now: their lazy initialisation must not happen inside the handler.
        interruptMode = Mode.idle.rawValue
        promptFlag = 0
        pressesWhileRunning = 0
        runningInterpreter = nil
        // Self-pipe: any thread may receive the signal, so the handler wakes the prompt's poll
        // through a pipe rather than by interrupting it.
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
            wakeRead = ends[0]
            wakeWrite = ends[1]
        }
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = handleInterruptSignal
        #else
        action.__sigaction_u.__sa_handler = handleInterruptSignal
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a blocking poll() at the prompt must return EINTR
        sigaction(SIGINT, &action, nil)
    }

    /// Runs `body` with Ctrl-C routed to `interpreter.interrupt()`.
    static func whileRunning<T>(_ interpreter: Interpreter, _ body: () throws -> T) rethrows -> T {
        runningInterpreter = interpreter
        pressesWhileRunning = 0
        Engine.clearInterrupt()
        interruptMode = Mode.running.rawValue
        defer {
            interruptMode = Mode.idle.rawValue
            runningInterpreter = nil
            Engine.clearInterrupt()
        }
        return try body()
    }

    /// Marks the start and end of reading at the prompt.
    static func setPrompt(_ active: Bool) {
        promptFlag = 0
        interruptMode = active ? Mode.prompt.rawValue : Mode.idle.rawValue
    }

    /// True (once) when Ctrl-C was pressed at the prompt since the last call.
    static func takePromptInterrupt() -> Bool {
        var byte: UInt8 = 0
        if wakeRead >= 0 {
            while read(wakeRead, &byte, 1) > 0 {}  // drain the wake-up pipe
        }
        let pressed = promptFlag != 0
        promptFlag = 0
        return pressed
    }

    /// A descriptor that becomes readable when Ctrl-C is pressed at the prompt (-1 if none).
    static var wakeDescriptor: Int32 { wakeRead }
}

private var installed = false
private var interruptMode: Int32 = 0
private var promptFlag: Int32 = 0
private var pressesWhileRunning: Int32 = 0
private var runningInterpreter: Interpreter?
private var wakeRead: Int32 = -1
private var wakeWrite: Int32 = -1

private func handleInterruptSignal(_ signal: Int32) {
    switch interruptMode {
    case Interrupts.Mode.prompt.rawValue:
        promptFlag = 1
        if wakeWrite >= 0 {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    case Interrupts.Mode.running.rawValue:
        pressesWhileRunning += 1
        if pressesWhileRunning >= 3 {
            // Code that does not check for interrupts (a long native call): a third Ctrl-C leaves.
            let message = "\ndscript: interrupted three times, leaving\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            _exit(130)
        }
        runningInterpreter?.interrupt()
        Engine.requestInterrupt()
    default:
        break
    }
}
