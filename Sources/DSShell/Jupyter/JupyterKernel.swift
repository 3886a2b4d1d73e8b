import DSEngine
import DSLanguage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Jupyter kernel (`dscript --kernel CONNECTION_FILE`, started by Jupyter from the kernelspec
/// that `dscript --install-kernel` writes). It speaks the messaging protocol 5.3 itself.
///
/// Two threads: the I/O thread owns every ZeroMQ socket (answers heartbeats, reads requests,
/// handles `interrupt_request` and `shutdown_request` on the control channel at once, and sends
/// what the other thread queued); the thread that called `run` handles shell requests in order and
/// runs cells with one interpreter, so variables live across cells. Interrupts arrive as SIGINT
/// (the kernelspec's default) or as `interrupt_request`; both stop the running cell and keep the
/// state.
public final class JupyterKernel {
    enum Channel { case shell, control, stdin, iopub, heartbeat }

    enum Request {
        case message(KernelMessage)
        case stop
    }

    let connection: KernelConnection
    let session = KernelMessage.randomIdentifier()
    let requests = Mailbox<Request>()
    let outgoing = Mailbox<(Channel, [[UInt8]])>()
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    /// Set by the executing thread when it has queued its last message.
    private let finished = Mailbox<Bool>()

    let interpreter: Interpreter
    /// Runs `:help`, `:time` and the other REPL commands of a cell.
    let commands: REPL
    let standardOutput: KernelStream
    let standardError: KernelStream
    /// Colour in error tracebacks (Jupyter front ends render ANSI colour), unless NO_COLOR.
    let color: Bool
    var executionCount = 0
    /// The header of the request being handled: outputs on iopub name it as their parent.
    var parent: JSONValue = .object([])
    /// The display id of the last output when it is a display with one (`RichOutput.isLast`).
    var lastDisplayID: String?

    init(connection: KernelConnection, settings: RuntimeSettings) {
        self.connection = connection
        color = (System.environment("NO_COLOR") ?? "").isEmpty
        standardOutput = KernelStream(name: "stdout")
        standardError = KernelStream(name: "stderr")
        interpreter = InterpreterSetup.make(settings: settings, output: standardOutput, errorOutput: standardError)
        commands = REPL(interpreter: interpreter, reader: ScriptedLineReader([]), output: standardOutput,
                        errorOutput: standardError, color: false, interruptible: true)
        commands.keepsFailures = true
        standardOutput.kernel = self
        standardError.kernel = self
        installRichOutput()
    }

    /// Runs a kernel for `connectionFile` until `shutdown_request`; returns the exit status.
    public static func run(connectionFile: String, settings: RuntimeSettings, errorOutput: TextSink) -> Int32 {
        do {
            let kernel = JupyterKernel(connection: try KernelConnection.load(path: connectionFile), settings: settings)
            try kernel.serve()
            return 0
        } catch {
            errorOutput.write("dscript --kernel: \(error)\n")
            errorOutput.flush()
            return 1
        }
    }

    func serve() throws {
        let context = try WireContext()
        var sockets: [Channel: WireSocket] = [:]
        let plan: [(Channel, WireSocket.Kind, String)] = [
            (.shell, .router, "shell"), (.control, .router, "control"), (.stdin, .router, "stdin"),
            (.iopub, .publisher, "iopub"), (.heartbeat, .reply, "hb"),
        ]
        for (channel, kind, name) in plan {
            sockets[channel] = try WireSocket(context, kind, endpoint: connection.endpoint(name), name: name)
        }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw KernelError("cannot make a pipe: \(System.errorText(errno))") }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)

        Interrupts.install()
        guard let ioThread = System.startThread(interrupts: false, { [self] in self.ioLoop(sockets) }) else {
            throw KernelError("cannot start the kernel's I/O thread")
        }
        publish("status", ["execution_state": "starting"])
        while case .message(let request) = requests.take() {
            if !handle(request) { break }
        }
        standardOutput.flush()
        standardError.flush()
        finished.put(true)
        wake()
        pthread_join(ioThread, nil)
        for socket in sockets.values { socket.close() }
        context.terminate()
    }

    // MARK: The I/O thread

    func ioLoop(_ sockets: [Channel: WireSocket]) {
        guard let shell = sockets[.shell], let control = sockets[.control], let stdin = sockets[.stdin],
              let heartbeat = sockets[.heartbeat] else { return }
        let readable = [heartbeat, control, shell, stdin]  // indices 0 to 3, as handled below
        while true {
            for index in pollReadable(readable, wake: wakeRead, timeout: 1000) {
                guard index < readable.count else { continue }
                guard let frames = readable[index].receive() else { continue }
                switch index {
                case 0: heartbeat.send(frames)
                case 1: handleControl(frames, control)
                case 2: if let message = KernelMessage.decode(frames, key: connection.key) { requests.put(.message(message)) }
                default: break  // input_reply: this kernel never asks for input
                }
            }
            var byte: UInt8 = 0
            while read(wakeRead, &byte, 1) > 0 {}
            for (channel, frames) in outgoing.takeAll() {
                sockets[channel]?.send(frames)
            }
            if !finished.takeAll().isEmpty {
                for (channel, frames) in outgoing.takeAll() { sockets[channel]?.send(frames) }
                return
            }
        }
    }

    /// Handles a control message on the I/O thread.
    func handleControl(_ frames: [[UInt8]], _ socket: WireSocket) {
        guard let request = KernelMessage.decode(frames, key: connection.key) else { return }
        switch request.type {
        case "interrupt_request":
            // As SIGINT, the kernelspec's default: the handler stops running code and ignores an idle kernel.
            kill(getpid(), SIGINT)
            socket.send(replyFrames(to: request, content: ["status": "ok"]))
        case "shutdown_request":
            let restart = request.content["restart"]?.bool ?? false
            interpreter.interrupt()
            socket.send(replyFrames(to: request, content: ["status": "ok", "restart": .bool(restart)]))
            requests.put(.stop)
        case "kernel_info_request":
            socket.send(replyFrames(to: request, content: kernelInfo))
        default:
            break
        }
    }

    // MARK: Sending (from the executing thread)

    /// Wakes the I/O thread to send what is queued.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func frames(type: String, content: JSONValue, parent: JSONValue, identities: [[UInt8]]) -> [[UInt8]] {
        KernelMessage(identities: identities, header: KernelMessage.header(type: type, session: session),
                      parentHeader: parent, metadata: .object([]), content: content).encode(key: connection.key)
    }

    /// The reply to `request` (`execute_request` → `execute_reply`), addressed to its sender.
    func replyFrames(to request: KernelMessage, content: JSONValue) -> [[UInt8]] {
        let type = request.type.hasSuffix("_request") ? String(request.type.dropLast(8)) + "_reply" : request.type + "_reply"
        return frames(type: type, content: content, parent: request.header, identities: request.identities)
    }

    func reply(to request: KernelMessage, _ content: JSONValue) {
        outgoing.put((.shell, replyFrames(to: request, content: content)))
        wake()
    }

    /// Publishes an output or status message on iopub, as a child of the current request.
    func publish(_ type: String, _ content: JSONValue) {
        switch type {
        case "status", "update_display_data": break  // neither adds an output below the last one
        case "display_data": lastDisplayID = content["transient"]?["display_id"]?.string
        default: lastDisplayID = nil
        }
        outgoing.put((.iopub, frames(type: type, content: content, parent: parent, identities: [Array(type.utf8)])))
        wake()
    }
}
