/// The arguments of one native call, with the checkers every built-in uses, so that all messages
/// read alike: `bad argument #1 to 'abs' (number expected, got string)`.
///
/// Built-ins read their parameters by name: `args.int("steps")` is the argument at the position
/// of `steps` in the signature, else the keyword `steps:`, else the signature's default
/// (`steps = 50`). A default that depends on other arguments is written at the call,
/// `args.number("beta_end", default: scaled ? 0.012 : 0.02)`, and wins over the signature's.
///
/// Under the names lies the positional form, `args.number(1, "steps")`, for code that has no
/// signature (a native object's `call`) or whose positions shift (`range(b)` / `range(a, b)`).
/// Positions are 0-based in code and 1-based in messages, as in Lua: an argument given by position
/// is named `#2`, one given by keyword (or missing) `'steps'`.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(name: String, value: Value)]
    /// The bound receiver for methods (`x` in `x.sum()`), else nil.
    public var receiver: Value?
    /// Used in messages; the runtime sets it to the callee's name.
    public var functionName: String
    /// The callee's parameters (`Builtin.call` sets them): where names find positions and defaults.
    public var parameters: ParameterList?

    public init(
        _ positional: [Value], keywords: [(name: String, value: Value)] = [],
        receiver: Value? = nil, functionName: String = "function", parameters: ParameterList? = nil
    ) {
        self.positional = positional
        self.keywords = keywords
        self.receiver = receiver
        self.functionName = functionName
        self.parameters = parameters
    }

    public var count: Int { positional.count }

    // MARK: Finding arguments

    /// The argument at `position`, or the keyword `name`, as the caller gave it; nil when absent
    /// (an explicit `nil` counts as absent).
    public func given(_ position: Int?, _ name: String? = nil) -> Value? {
        if let position, position < positional.count {
            let v = positional[position]
            return v.isNull ? nil : v
        }
        if let name {
            for (key, value) in keywords where key == name {
                return value.isNull ? nil : value
            }
        }
        return nil
    }

    /// The argument given, else the signature's default for `name`; nil when neither.
    public func optional(_ position: Int?, _ name: String? = nil) -> Value? {
        if let v = given(position, name) { return v }
        if let name, let parameters, parameters.hasDefaults { return parameters.defaultValue(of: name, at: position) }
        return nil
    }

    public func has(_ position: Int?, _ name: String? = nil) -> Bool { optional(position, name) != nil }

    /// The argument at `position` (or keyword `name`); an error when missing.
    public func value(_ position: Int?, _ name: String? = nil) throws -> Value {
        if let v = optional(position, name) { return v }
        throw ScriptError("bad argument \(label(position, name)) to '\(functionName)' (value expected)")
    }

    /// The message for a wrong argument type, in the common form.
    public func typeError(_ position: Int?, _ name: String?, expected: String, got value: Value) -> ScriptError {
        ScriptError("bad argument \(label(position, name)) to '\(functionName)' (\(expected) expected, got \(value.typeName))")
    }

    /// An error about a specific argument with a free-form reason.
    public func error(_ position: Int?, _ name: String?, _ reason: String) -> ScriptError {
        ScriptError("bad argument \(label(position, name)) to '\(functionName)' (\(reason))")
    }

    func label(_ position: Int?, _ name: String?) -> String {
        if let position, position < positional.count || name == nil { return "#\(position + 1)" }
        if let name { return "'\(name)'" }
        return "#?"
    }

    // MARK: Typed readers

    /// The argument as `read` takes it; a type error naming `expected` when `read` gives nil.
    func typed<T>(_ position: Int?, _ name: String?, expected: String, _ read: (Value) -> T?) throws -> T {
        let v = try value(position, name)
        if let x = read(v) { return x }
        throw typeError(position, name, expected: expected, got: v)
    }

    public func number(_ position: Int?, _ name: String? = nil) throws -> Double {
        try typed(position, name, expected: "number") {
            switch $0 {
            case .number(let x): x
            case .bool(let b): b ? 1 : 0
            default: nil
            }
        }
    }

    public func number(_ position: Int?, _ name: String? = nil, default fallback: Double) throws -> Double {
        given(position, name) != nil ? try number(position, name) : fallback
    }

    /// The largest magnitude an integer argument may have: numbers are exact integers up to 2^53.
    public static let maxInteger = 9_007_199_254_740_992.0

    /// Why `x` is not an integer argument (a fraction, or too large to be exact), or nil when it is one.
    static func integerProblem(_ x: Double) -> String? {
        if x.rounded() != x || x.isNaN { return "got \(formatNumber(x))" }
        if abs(x) > maxInteger { return "got \(formatNumber(x)), which is beyond ±2^53" }
        return nil
    }

    /// A number that must be integral and fit an `Int`.
    public func int(_ position: Int?, _ name: String? = nil) throws -> Int {
        let x = try number(position, name)
        if let problem = Arguments.integerProblem(x) { throw error(position, name, "integer expected, \(problem)") }
        return Int(x)
    }

    public func int(_ position: Int?, _ name: String? = nil, default fallback: Int) throws -> Int {
        given(position, name) != nil ? try int(position, name) : fallback
    }

    public func bool(_ position: Int?, _ name: String? = nil) throws -> Bool {
        try typed(position, name, expected: "boolean") { if case .bool(let b) = $0 { b } else { nil } }
    }

    public func bool(_ position: Int?, _ name: String? = nil, default fallback: Bool) throws -> Bool {
        given(position, name) != nil ? try bool(position, name) : fallback
    }

    public func string(_ position: Int?, _ name: String? = nil) throws -> String {
        try typed(position, name, expected: "string") { if case .string(let s) = $0 { s } else { nil } }
    }

    public func string(_ position: Int?, _ name: String? = nil, default fallback: String) throws -> String {
        given(position, name) != nil ? try string(position, name) : fallback
    }

    /// A string that must be one of `choices`; the message lists them. Without `fallback` the
    /// signature's default applies.
    public func choice(_ position: Int?, _ name: String?, _ choices: [String], default fallback: String?) throws -> String {
        let s = try fallback.map { try string(position, name, default: $0) } ?? string(position, name)
        guard choices.contains(s) else {
            let list = choices.map { "\"\($0)\"" }.joined(separator: ", ")
            throw error(position, name, "expected one of \(list), got \"\(s)\"")
        }
        return s
    }

    public func list(_ position: Int?, _ name: String? = nil) throws -> ListObject {
        try typed(position, name, expected: "list") { if case .list(let l) = $0 { l } else { nil } }
    }

    public func dict(_ position: Int?, _ name: String? = nil) throws -> DictObject {
        try typed(position, name, expected: "dict") { if case .dict(let d) = $0 { d } else { nil } }
    }

    /// A native object of type `T` (`args.native(0, "x", as: TensorObject.self, expected: "tensor")`).
    public func native<T: NativeObject>(_ position: Int?, _ name: String? = nil, as type: T.Type, expected: String) throws -> T {
        try typed(position, name, expected: expected) { if case .native(let object) = $0 { object as? T } else { nil } }
    }

    /// A list of integers, such as a shape (`[2, 3]`); a single number is read as a one-element list.
    public func intList(_ position: Int?, _ name: String? = nil) throws -> [Int] {
        let v = try value(position, name)
        switch v {
        case .number:
            return [try int(position, name)]
        case .list(let l):
            return try l.items.map { item in
                guard case .number(let x) = item else {
                    throw error(position, name, "list of integers expected, found \(item.typeName)")
                }
                if let problem = Arguments.integerProblem(x) { throw error(position, name, "list of integers expected, \(problem)") }
                return Int(x)
            }
        default:
            throw typeError(position, name, expected: "list of integers", got: v)
        }
    }

    /// The receiver of a method call, as type `T`.
    public func receiver<T: NativeObject>(as type: T.Type) throws -> T {
        if case .native(let object)? = receiver, let typed = object as? T { return typed }
        throw ScriptError("'\(functionName)' must be called as a method")
    }
}

/// Shortest text that reads back to the same number; integral values print without a fraction.
public func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x.rounded() == x && Swift.abs(x) < 1e16 {
        return String(Int64(x))
    }
    return x.description
}
