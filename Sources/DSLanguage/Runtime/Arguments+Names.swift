/// Reading arguments by parameter name: the position and the default come from the built-in's
/// signature (`Arguments.parameters`), so `args.int("steps")` in the body of
/// `ddim_sample(model, s, shape, steps = 50)` reads argument #4, or `steps:`, or 50.
extension Arguments {
    /// The position of parameter `name` in the signature; nil for a keyword-only parameter and for
    /// arguments without a signature (then only the keyword is looked for).
    public func position(of name: String) -> Int? {
        guard let parameters else { return nil }
        guard let i = parameters.index(of: name) else {
            assertionFailure("'\(name)' is not a parameter of '\(parameters.name)'")
            return nil
        }
        return parameters.positions[i]
    }

    /// True when the signature has a parameter `name` (helpers shared by several built-ins ask).
    public func takes(_ name: String) -> Bool { parameters?.index(of: name) != nil }

    /// The argument as the caller gave it (no default); nil when absent or nil.
    public func given(_ name: String) -> Value? { given(position(of: name), name) }
    /// The argument given, else the signature's default; nil when neither.
    public func optional(_ name: String) -> Value? { optional(position(of: name), name) }
    public func has(_ name: String) -> Bool { has(position(of: name), name) }
    public func value(_ name: String) throws -> Value { try value(position(of: name), name) }

    public func error(_ name: String, _ reason: String) -> ScriptError { error(position(of: name), name, reason) }
    public func typeError(_ name: String, expected: String, got value: Value) -> ScriptError {
        typeError(position(of: name), name, expected: expected, got: value)
    }

    public func number(_ name: String) throws -> Double { try number(position(of: name), name) }
    public func int(_ name: String) throws -> Int { try int(position(of: name), name) }
    public func bool(_ name: String) throws -> Bool { try bool(position(of: name), name) }
    public func string(_ name: String) throws -> String { try string(position(of: name), name) }
    public func list(_ name: String) throws -> ListObject { try list(position(of: name), name) }
    public func dict(_ name: String) throws -> DictObject { try dict(position(of: name), name) }
    public func intList(_ name: String) throws -> [Int] { try intList(position(of: name), name) }
    public func native<T: NativeObject>(_ name: String, as type: T.Type, expected: String) throws -> T {
        try native(position(of: name), name, as: type, expected: expected)
    }

    /// A string that must be one of `choices` (the default from the signature).
    public func choice(_ name: String, _ choices: [String]) throws -> String {
        try choice(position(of: name), name, choices, default: nil)
    }

    // An explicit default, for one that depends on other arguments; it wins over the signature's.

    public func number(_ name: String, default fallback: Double) throws -> Double {
        try number(position(of: name), name, default: fallback)
    }
    public func int(_ name: String, default fallback: Int) throws -> Int {
        try int(position(of: name), name, default: fallback)
    }
    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        try bool(position(of: name), name, default: fallback)
    }
    public func string(_ name: String, default fallback: String) throws -> String {
        try string(position(of: name), name, default: fallback)
    }
}
