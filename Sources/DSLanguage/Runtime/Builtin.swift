/// One native function, as it is registered in a domain's table.
///
/// ```swift
/// static let table: [Builtin] = [
///     Builtin("round(x, digits = 0)", "x rounded to digits decimals", example: "round(2.5)   # 2") { args, context in
///         .number(roundTo(try args.number("x"), digits: try args.int("digits")))
///     },
/// ]
/// ```
///
/// The signature names the function and its parameters (`ParameterList`); keyword arguments are
/// matched against those names, and `:help` prints the signature, the summary and the example. A
/// parameter written `...name` takes the remaining positional arguments; one written `**name`
/// accepts keyword arguments of any name (`p.set(loss: 0.1, lr: 1e-3)`). The signature is the one
/// place for positions and defaults: a body reads `args.int("steps")` and gets the argument at the
/// position of `steps`, the keyword `steps:`, or the default written after `steps =`.
public struct Builtin {
    public let signature: String
    public let summary: String
    public let example: String
    /// The native code; `call` runs it with the parameters attached to the arguments.
    let body: (Arguments, CallContext) throws -> Value

    /// The parameters, positions and defaults, parsed from the signature.
    public let parameters: ParameterList
    /// The function's name, taken from the signature (`abs`, or `tensor.sum` for a method).
    public var name: String { parameters.name }
    /// Parameter names in order, taken from the signature.
    public let parameterNames: [String]
    /// True when a parameter is `...name` (it takes the remaining positional arguments).
    public var isVariadic: Bool { parameters.variadicName != nil }
    /// The name of the `...name` parameter, which is not a keyword.
    public var variadicName: String? { parameters.variadicName }
    /// True when a parameter is `**name`: any keyword is accepted.
    public var acceptsAnyKeyword: Bool { parameters.acceptsAnyKeyword }
    /// The type name of every value it returns (`zeros(...shape) -> tensor`), nil when not declared.
    public var resultType: String? { parameters.resultType }

    public init(
        _ signature: String, _ summary: String, example: String = "",
        body: @escaping (Arguments, CallContext) throws -> Value
    ) {
        self.signature = signature
        self.summary = summary
        self.example = example
        self.body = body
        self.parameters = ParameterList(parsing: signature)
        self.parameterNames = parameters.names
    }

    /// Runs the built-in on `arguments` (which learn the built-in's parameters, so bodies read
    /// them by name).
    public func call(_ arguments: Arguments, _ context: CallContext) throws -> Value {
        var arguments = arguments
        arguments.parameters = parameters
        return try body(arguments, context)
    }

    /// The short name used in messages: `sum` for `tensor.sum`.
    public var shortName: String { parameters.shortName }
}

/// `text` without leading and trailing spaces and tabs.
func trimmed<S: StringProtocol>(_ text: S) -> String {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
}

/// A callable built-in value: a `Builtin`, possibly bound to a receiver (`x.sum` is `tensor.sum`
/// bound to `x`).
public final class BuiltinFunction {
    public let builtin: Builtin
    public let receiver: Value?

    public init(_ builtin: Builtin, receiver: Value? = nil) {
        self.builtin = builtin
        self.receiver = receiver
    }

    public var name: String { builtin.name }
}

/// What the runtime offers to native code.
public protocol CallContext: AnyObject {
    /// Calls any callable value — a dscript function, a built-in, a callable native object — as if
    /// from the script (so `map`, `sort`, samplers and training helpers can call back into dscript).
    func call(_ callee: Value, _ arguments: Arguments) throws -> Value

    /// Standard output as the script sees it (`print`); buffered, flushed by the runtime.
    func write(_ text: String)
    /// Standard error (progress bars, warnings).
    func writeError(_ text: String)

    /// Throws the interrupt error when Ctrl-C was pressed. Long native loops call it now and then.
    func checkInterrupt() throws

    /// The command line's settings (seed, threads, colour, script arguments).
    var settings: RuntimeSettings { get }

    /// `str(v)` (`repr: false`) or the REPL echo / `repr(v)` (`repr: true`) of any value.
    func describe(_ value: Value, repr: Bool) -> String

    /// Per-interpreter state of a domain (the random generator, the no-grad flag, ...), made on first use.
    func state<T: AnyObject>(_ type: T.Type, make: () -> T) -> T
}

/// Settings fixed by the command line (or by a test).
public struct RuntimeSettings {
    public var seed: UInt64 = 0
    public var threads: Int = 0  // 0: as many as there are cores
    /// `--max-memory` in bytes: the memory budget (`MemoryBudget.bytes`) for the whole process; nil keeps the default.
    public var maxMemory: Int?
    public var color: Bool = false
    public var quiet: Bool = false
    /// Standard error is a terminal: progress bars redraw in place; otherwise they print plain lines.
    public var interactiveErrorStream: Bool = false
    /// Standard output is a terminal (pictures may use colour escapes).
    public var interactiveOutputStream: Bool = false
    public var scriptArguments: [String] = []
    public init() {}
}
