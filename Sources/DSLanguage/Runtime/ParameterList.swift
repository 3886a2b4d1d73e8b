/// A built-in's parameters, read from its signature string: the one place that says where each
/// argument stands and what it defaults to.
///
/// `schedule(kind, steps = 1000, beta_start = 1e-4)` has `steps` at position 1 with default 1000;
/// a body reads it as `args.int("steps")`. A parameter written `...name` takes the remaining
/// positional arguments (the parameters after it are keywords only); `**name` accepts keywords of
/// any name. Defaults are literals: numbers, strings, `true`, `false`, `nil` (no default), lists
/// of literals and `{}`. A signature may end with `-> type`, the type name (`tensor`) of every value
/// the built-in returns, which completion reads without calling it.
public final class ParameterList {
    public struct Parameter {
        public let name: String
        /// Its place among the positional arguments; nil for `...name`, `**name` and the
        /// parameters after a `...name` (keywords only).
        public let position: Int?
        /// The text after `=` (`1e-4`, `"eps"`), or nil.
        public let defaultText: String?
        let defaultLiteral: Literal?
    }

    public let name: String
    /// The name used in messages: `sum` for `tensor.sum`.
    public let shortName: String
    public let parameters: [Parameter]
    /// The name of the `...name` parameter, which is not a keyword.
    public let variadicName: String?
    /// True when a parameter is `**name`: any keyword is accepted.
    public let acceptsAnyKeyword: Bool
    /// The `-> type` after the parameters: the type name of whatever the built-in returns.
    public let resultType: String?

    /// The parameters' names, positions and scalar defaults side by side, for lookups on every call.
    public let names: [String]
    let nameLengths: [Int]
    let positions: [Int?]
    let scalarDefaults: [Value?]
    /// False when no parameter has a default (then no lookup is needed).
    let hasDefaults: Bool

    public init(parsing signature: String) {
        let open = signature.firstIndex(of: "(") ?? signature.endIndex
        let name = trimmed(signature[..<open])
        self.name = name
        shortName = name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) } ?? name
        let afterClose = signature.lastIndex(of: ")").map { signature[signature.index(after: $0)...] } ?? ""
        let arrow = trimmed(afterClose)
        resultType = arrow.hasPrefix("->") ? trimmed(arrow.dropFirst(2)) : nil
        guard open < signature.endIndex else {
            (parameters, variadicName, acceptsAnyKeyword, names, nameLengths, positions, scalarDefaults, hasDefaults)
                = ([], nil, false, [], [], [], [], false)
            return
        }
        var inside = signature[signature.index(after: open)...]
        if let close = inside.lastIndex(of: ")") { inside = inside[..<close] }
        var parameters: [Parameter] = []
        var variadic: String?
        var anyKeyword = false
        for piece in ParameterList.split(inside) {
            var head = piece
            var defaultText: String?
            if let cut = piece.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                head = trimmed(piece[..<cut])
                if piece[cut] == "=" { defaultText = trimmed(piece[piece.index(after: cut)...]) }
            }
            var position: Int? = variadic == nil ? parameters.count : nil
            if head.hasPrefix("**") {
                anyKeyword = true
                head.removeFirst(2)
                position = nil
            } else if head.hasPrefix("...") {
                head.removeFirst(3)
                variadic = head
                position = nil
            }
            parameters.append(Parameter(
                name: head, position: position, defaultText: defaultText,
                defaultLiteral: defaultText.flatMap(Literal.init(parsing:))))
        }
        self.parameters = parameters
        self.variadicName = variadic
        self.acceptsAnyKeyword = anyKeyword
        self.names = parameters.map(\.name)
        self.nameLengths = parameters.map(\.name.utf8.count)
        self.positions = parameters.map(\.position)
        self.scalarDefaults = parameters.map { $0.defaultLiteral?.isScalar == true ? $0.defaultLiteral?.value : nil }
        self.hasDefaults = parameters.contains { $0.defaultLiteral != nil }
    }

    /// The index of parameter `name`, nil when there is none. (Lengths are compared first: a
    /// mismatched string comparison is the slow part of a built-in call.)
    @inline(__always)
    func index(of name: String) -> Int? {
        let length = name.utf8.count
        var i = 0
        while i < names.count {
            if nameLengths[i] == length && names[i] == name { return i }
            i += 1
        }
        return nil
    }

    /// The parameter called `name`.
    public func parameter(_ name: String) -> Parameter? {
        index(of: name).map { parameters[$0] }
    }

    /// The default of `name` as a fresh value (lists and dicts are new each time); nil when there is none.
    public func defaultValue(of name: String) -> Value? { defaultValue(of: name, at: nil) }

    /// The same, when `name` is likely the parameter at index `hint` (its position): no search then.
    func defaultValue(of name: String, at hint: Int?) -> Value? {
        let i: Int
        if let hint, hint < names.count, names[hint] == name {
            i = hint
        } else if let found = index(of: name) {
            i = found
        } else {
            return nil
        }
        return scalarDefaults[i] ?? parameters[i].defaultLiteral?.value
    }

    /// Defaults whose text is not a literal this parser reads (a mistake in a signature; tested).
    public var unreadableDefaults: [String] {
        parameters.compactMap { p in
            guard let text = p.defaultText, p.defaultLiteral == nil, text != "nil" else { return nil }
            return "\(p.name) = \(text)"
        }
    }

    /// `text` cut at the commas outside brackets and strings, each piece trimmed, empty ones dropped.
    static func split<S: StringProtocol>(_ text: S) -> [String] {
        var pieces: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current = ""
        for ch in text {
            if inString {
                current.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            switch ch {
            case "\"": inString = true; current.append(ch)
            case "(", "[", "{": depth += 1; current.append(ch)
            case ")", "]", "}": depth -= 1; current.append(ch)
            case "," where depth == 0: pieces.append(trimmed(current)); current = ""
            default: current.append(ch)
            }
        }
        pieces.append(trimmed(current))
        return pieces.filter { !$0.isEmpty }
    }

    /// A default written in a signature.
    indirect enum Literal {
        case number(Double), string(String), bool(Bool), list([Literal]), emptyDict

        /// Nil for `nil` (no default) and for text that is not a literal.
        init?(parsing text: String) {
            switch text {
            case "nil": return nil
            case "true": self = .bool(true)
            case "false": self = .bool(false)
            case "{}": self = .emptyDict
            default:
                if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                    var out = ""
                    var escaped = false
                    for ch in text.dropFirst().dropLast() {
                        if escaped {
                            out.append(ch == "n" ? "\n" : ch == "t" ? "\t" : ch)
                            escaped = false
                        } else if ch == "\\" {
                            escaped = true
                        } else {
                            out.append(ch)
                        }
                    }
                    self = .string(out)
                } else if text.hasPrefix("["), text.hasSuffix("]") {
                    let items = ParameterList.split(text.dropFirst().dropLast())
                    var literals: [Literal] = []
                    for item in items {
                        guard let literal = Literal(parsing: item) else { return nil }
                        literals.append(literal)
                    }
                    self = .list(literals)
                } else if let x = CoreMath.parseNumber(text) {
                    self = .number(x)
                } else {
                    return nil
                }
            }
        }

        /// Numbers, strings and booleans, which can be shared; lists and dicts are made anew per call.
        var isScalar: Bool {
            switch self {
            case .number, .string, .bool: return true
            case .list, .emptyDict: return false
            }
        }

        var value: Value {
            switch self {
            case .number(let x): return .number(x)
            case .string(let s): return .string(s)
            case .bool(let b): return .bool(b)
            case .list(let items): return .list(ListObject(items.map(\.value)))
            case .emptyDict: return .dict(DictObject())
            }
        }
    }
}
