/// The operators a native object may implement. `reversed` in `binary` means the object was on the
/// right-hand side (`2 * x` asks `x` with `.mul` and `reversed: true`).
public enum BinaryOperator: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**", matmul = "@"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

public enum UnaryOperator: String, Sendable {
    case neg = "-"
}

/// One index in `x[...]`: a value (number, tensor, list) or a slice `a:b:c` with optional parts.
public enum IndexComponent {
    case value(Value)
    case slice(start: Value?, stop: Value?, step: Value?)
}

/// A value implemented in Swift outside the language library: tensors, schedules, models, optimizers,
/// checkpoints, progress bars. The language calls these hooks; every default raises the uniform error.
///
/// Errors thrown from hooks are `ScriptError`s; the runtime attaches the source location.
public protocol NativeObject: AnyObject {
    /// The type name shown to users (`tensor`, `schedule`, `model`).
    var typeName: String { get }

    /// `x.name`. Methods are returned as bound `Value.builtin` functions. `nil` means "no such member".
    func member(_ name: String, context: CallContext) throws -> Value?
    /// `x.name = value`.
    func setMember(_ name: String, _ value: Value, context: CallContext) throws
    /// Member names, for tab completion after `.` and for `:help`.
    var memberNames: [String] { get }

    /// `x(args...)`: models are callable. `nil` means "not callable".
    func call(_ arguments: Arguments, context: CallContext) throws -> Value?

    /// `x op other` (or `other op x` when `reversed`). `nil` means "not supported for these operands".
    func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool, context: CallContext) throws -> Value?
    func unary(_ op: UnaryOperator, context: CallContext) throws -> Value?

    /// `x[i, j:k]`.
    func index(_ components: [IndexComponent], context: CallContext) throws -> Value
    /// `x[i, j:k] = value`.
    func setIndex(_ components: [IndexComponent], _ value: Value, context: CallContext) throws
    /// `x[a][b]... = value` (two or more bracket levels, outermost first): writes through the inner
    /// selections, as assignment through a PyTorch view does. Returns false when the object has no
    /// such notion; the runtime then assigns into the value that `x[a]...` returns.
    func setIndex(chain levels: [[IndexComponent]], _ value: Value, context: CallContext) throws -> Bool

    /// Used by `if`, `while`, `and`, `or`, `not`.
    func truthiness() throws -> Bool
    /// `len(x)`; `nil` means "has no length".
    var length: Int? { get }
    /// `for v in x`; `nil` means "not iterable".
    func elements(context: CallContext) throws -> [Value]?
    /// `for v in x` one element at a time (a progress bar advances as the loop runs);
    /// `nil` means "use `elements`".
    func makeIterator(context: CallContext) throws -> NativeIterator?

    /// How `print` / `str` show it, and how the REPL echoes it (`repr`).
    func describe(repr: Bool) -> String
    /// `==` when `binary(.eq)` returned nil: identity by default.
    func isEqual(to other: NativeObject) -> Bool
}

extension NativeObject {
    public func member(_ name: String, context: CallContext) throws -> Value? { nil }
    public func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        throw ScriptError("cannot set member '\(name)' of \(typeName)")
    }
    public var memberNames: [String] { [] }
    public func call(_ arguments: Arguments, context: CallContext) throws -> Value? { nil }
    public func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool, context: CallContext) throws -> Value? { nil }
    public func unary(_ op: UnaryOperator, context: CallContext) throws -> Value? { nil }
    public func index(_ components: [IndexComponent], context: CallContext) throws -> Value {
        throw ScriptError("\(typeName) cannot be indexed")
    }
    public func setIndex(_ components: [IndexComponent], _ value: Value, context: CallContext) throws {
        throw ScriptError("\(typeName) does not support element assignment")
    }
    public func setIndex(chain levels: [[IndexComponent]], _ value: Value, context: CallContext) throws -> Bool { false }
    public func truthiness() throws -> Bool { true }
    public var length: Int? { nil }
    public func elements(context: CallContext) throws -> [Value]? { nil }
    public func makeIterator(context: CallContext) throws -> NativeIterator? { nil }
    public func describe(repr: Bool) -> String { "<\(typeName)>" }
    public func isEqual(to other: NativeObject) -> Bool { self === other }
}

/// A lazy `for` loop over a native object.
public protocol NativeIterator: AnyObject {
    /// The next element, or nil at the end.
    func next(context: CallContext) throws -> Value?
    /// Called once when the loop ends: at the end (`completed`), or by `break`, `return` or an error.
    func finish(completed: Bool)
}
