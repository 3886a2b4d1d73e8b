#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A frame is a window of the value stack: slot 0 holds the running function, then parameters
/// and locals, each at the slot the resolver gave it.
typealias Frame = UnsafeMutablePointer<Value>

enum Flow {
    case normal, breakLoop, continueLoop, returned
}

/// A variable captured by a closure (an upvalue), shared between frames and closures.
final class Box: NativeObject {
    @exclusivity(unchecked) var value: Value
    init(_ value: Value) { self.value = value }
    var typeName: String { "box" }
    deinit {
        guard ValueTeardown.mayNest(value) else { return }
        var children = [value]
        value = .null
        ValueTeardown.release(&children)
    }
}

/// A global variable: the compiled code holds the box itself, so reading a global is one load.
final class Global {
    let name: String
    @exclusivity(unchecked) var value: Value = .null {
        didSet {
            if case .function(let f) = value, let proto = f.proto {
                callee = .passUnretained(f)
                calleeProto = .passUnretained(proto)
            } else {
                callee = nil
                calleeProto = nil
            }
        }
    }
    /// While `value` is a dscript function: it and its compiled function, for calls that read
    /// them without reference counting (`value` keeps the function alive, the arena the proto).
    @exclusivity(unchecked) private(set) var callee: Unmanaged<FunctionObject>?
    @exclusivity(unchecked) private(set) var calleeProto: Unmanaged<FunctionProto>?
    @exclusivity(unchecked) var defined = false
    init(name: String) { self.name = name }
}

/// A table of globals: the user's (or a module's) names, falling back to the built-ins.
final class GlobalTable {
    var variables: [String: Global] = [:]
    var order: [String] = []
    let parent: GlobalTable?

    init(parent: GlobalTable?) { self.parent = parent }

    func lookup(_ name: String) -> Global? {
        if let g = variables[name] { return g }
        return parent?.lookup(name)
    }

    /// The variable `name` of this table, made (undefined) when missing.
    func slot(_ name: String) -> Global {
        if let g = variables[name] { return g }
        let g = Global(name: name)
        variables[name] = g
        order.append(name)
        return g
    }

    /// The names defined here and in the tables behind (for "did you mean").
    var definedNames: [String] {
        order.filter { variables[$0]?.defined == true } + (parent?.definedNames ?? [])
    }

    func define(_ name: String, _ value: Value) {
        let g = slot(name)
        g.value = value
        g.defined = true
    }
}

/// The engine that runs compiled code: value stack, globals, call machinery, output, limits.
/// It is the `CallContext` native code sees.
final class Runtime: CallContext {
    let settings: RuntimeSettings
    var output: TextSink
    var errorOutput: TextSink
    let builtins: GlobalTable
    var globals: GlobalTable
    var helpTable: [String: Builtin] = [:]
    var helpOrder: [String] = []
    /// The members of each native type that are not methods (`tensor` → `shape`, `T`, ...), for
    /// completing after a call whose result type is declared.
    var typeMembers: [String: [String]] = [:]
    /// Sees every built-in's result (the tests check declared result types with it).
    var builtinResultObserver: ((Builtin, Value) -> Void)?
    var importPaths: [String] = []
    var modules: [String: ModuleObject] = [:]
    var importing: [String] = []
    var domainState: [ObjectIdentifier: AnyObject] = [:]
    /// Keeps every compiled node alive (nodes refer to each other without reference counting).
    var arena: [AnyObject] = []

    // The value stack.
    let stackBase: Frame
    let stackCapacity = 1 << 20
    @exclusivity(unchecked) var stackTop: Frame
    let stackEnd: Frame
    @exclusivity(unchecked) var depth = 0
    static let maxDepth = 200_000
    /// The lowest machine-stack address calls may reach (with headroom) on the running thread.
    @exclusivity(unchecked) var machineStackLimit: UInt = 0

    /// Set by `interrupt()`; a plain store, safe from a signal handler.
    let interruptFlag: UnsafeMutablePointer<Int32>
    /// The value a `return` hands to its caller: always `.null` between returns, so `return`
    /// initializes it without releasing anything and the caller moves it out.
    let returnSlot: UnsafeMutablePointer<Value>
    /// Where the built-in now running was called from (for errors raised by callbacks).
    @exclusivity(unchecked) var nativeCallSpan: SourceSpan?

    init(settings: RuntimeSettings, output: TextSink, errorOutput: TextSink) {
        self.settings = settings
        self.output = output
        self.errorOutput = errorOutput
        builtins = GlobalTable(parent: nil)
        globals = GlobalTable(parent: builtins)
        stackBase = Frame.allocate(capacity: stackCapacity)
        stackTop = stackBase
        stackEnd = stackBase + stackCapacity
        interruptFlag = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        interruptFlag.initialize(to: 0)
        returnSlot = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        returnSlot.initialize(to: .null)
    }

    deinit {
        stackBase.deallocate()
        interruptFlag.deallocate()
        returnSlot.deinitialize(count: 1)
        returnSlot.deallocate()
    }

    /// Breaks the reference cycles between compiled code and the globals that hold it.
    func teardown() {
        for table in [globals, builtins] + modules.values.map(\.table) {
            for g in table.variables.values { g.value = .null }
            table.variables = [:]
        }
        modules = [:]
        arena = []
        returnSlot.pointee = .null
    }

    // MARK: CallContext

    func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        try callValue(callee, positional: arguments.positional, keywords: arguments.keywords, span: nil)
    }

    func write(_ text: String) { output.write(text) }
    func writeError(_ text: String) {
        output.flush()
        errorOutput.write(text)
        errorOutput.flush()
    }

    func checkInterrupt() throws {
        if interruptFlag.pointee != 0 {
            interruptFlag.pointee = 0
            throw ScriptError.interrupted()
        }
    }

    /// "interrupted" (consuming the request) when Ctrl-C was pressed, else nil.
    func takeInterrupt() -> ScriptError? {
        guard interruptFlag.pointee != 0 else { return nil }
        interruptFlag.pointee = 0
        return ScriptError.interrupted()
    }

    /// `enteringNative` for native code that may run long (calls, operators on native values): when
    /// Ctrl-C was pressed meanwhile, "interrupted" is raised as soon as it returns, before its result
    /// (which the engine's loops may have left incomplete) is used, and instead of any error it threw
    /// (which the stop may have caused).
    @inline(__always)
    func enteringInterruptible<T>(at span: SourceSpan?, in function: String? = nil, _ body: () throws -> T) throws -> T {
        let result: T
        do {
            result = try body()
        } catch {
            if var interrupted = takeInterrupt() {
                interrupted.span = span
                throw interrupted
            }
            throw ScriptError.translating(error, at: span, in: function)
        }
        if var interrupted = takeInterrupt() {
            interrupted.span = span
            throw interrupted
        }
        return result
    }

    func describe(_ value: Value, repr: Bool) -> String { format(value, repr: repr) }

    func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T {
        let key = ObjectIdentifier(type)
        if let existing = domainState[key] as? T { return existing }
        let made = make()
        domainState[key] = made
        return made
    }

    // MARK: Limits

    /// Records the machine-stack limit of the thread about to run code.
    func prepareThread() {
        machineStackLimit = StackGuard.limitForCurrentThread()
        interruptFlag.pointee = 0
    }

    @inline(__always)
    func checkCallLimits() throws {
        if interruptFlag.pointee != 0 {
            interruptFlag.pointee = 0
            throw ScriptError.interrupted()
        }
        if depth >= Runtime.maxDepth || StackGuard.currentAddress() < machineStackLimit {
            throw ScriptError("stack overflow (too many nested calls)")
        }
    }
}
