#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few operating-system services the shell needs, on top of libc (no Foundation: it costs
/// start-up time).
public enum System {
    /// True when `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The environment variable `name`, or nil when unset.
    public static func environment(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }

    /// Seconds on a monotonic clock, for `:time`.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// The text of the last C library error (`errno`).
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// What is at `path`.
    enum FileKind { case missing, file, directory, other }

    static func kind(of path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    static func isDirectory(_ path: String) -> Bool { kind(of: path) == .directory }

    /// The absolute path of the running executable, when it can be found.
    static func executablePath() -> String? {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #else
        guard let first = CommandLine.arguments.first, let resolved = realpath(first, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
        #endif
    }

    /// The folder part of `path` (`"."` when it has none).
    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The user's home folder.
    public static func homeDirectory() -> String? {
        if let home = environment("HOME"), !home.isEmpty { return home }
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// Runs `body` on a new thread with a stack of `stackSize` bytes and waits for it, so deep but
    /// legitimate recursion in scripts has room. SIGINT is blocked on the calling thread, so Ctrl-C
    /// reaches the worker (where the REPL installs its handler).
    static func runOnLargeStack(stackSize: Int = 512 << 20, _ body: @escaping () -> Void) {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        guard let thread = startThread(stackSize: stackSize, interrupts: true, body) else {
            // No thread could be made: run here on the ordinary stack.
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            body()
            return
        }
        pthread_join(thread, nil)
    }

    /// Starts `body` on a new thread (with `stackSize` bytes of stack when given) and returns it to
    /// join, or nil when none could be made. The thread receives SIGINT only when `interrupts` is
    /// true (the thread that runs code); the Jupyter kernel's I/O thread does not.
    static func startThread(stackSize: Int? = nil, interrupts: Bool, _ body: @escaping () -> Void) -> pthread_t? {
        final class Box {
            let body: () -> Void, interrupts: Bool
            init(_ body: @escaping () -> Void, _ interrupts: Bool) { (self.body, self.interrupts) = (body, interrupts) }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize, pthread_attr_setstacksize(&attributes, stackSize) != 0 { return nil }
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)  // the new thread starts with SIGINT blocked
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let context = Unmanaged.passRetained(Box(body, interrupts)).toOpaque()
        #if os(Linux)
        var thread = pthread_t()
        #else
        var thread: pthread_t? = nil
        #endif
        let status = pthread_create(&thread, &attributes, { raw in
            #if os(Linux)
            let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue()
            #else
            let box = Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue()
            #endif
            guard let box = box as? Box else { return nil }
            if box.interrupts {
                var unblock = sigset_t()
                sigemptyset(&unblock)
                sigaddset(&unblock, SIGINT)
                pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
            }
            box.body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<AnyObject>.fromOpaque(context).release()
            return nil
        }
        return thread
    }
}
