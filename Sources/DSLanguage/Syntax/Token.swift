/// The kinds of token the lexer produces; the parser's rule table is keyed by them.
enum TokenKind: UInt8, CaseIterable {
    // Brackets and punctuation
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, colon, semicolon, newline
    // Operators
    case plus, minus, star, slash, percent, at, starStar
    case equal, equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    case plusEqual, minusEqual, starEqual, slashEqual
    case dotDotLess, dotDotDot, arrow
    // Literals and names
    case identifier, number, string
    // Keywords
    case kwLet, kwFn, kwReturn, kwIf, kwElse, kwWhile, kwFor, kwIn, kwBreak, kwContinue
    case kwTrue, kwFalse, kwNil, kwAnd, kwOr, kwNot, kwImport, kwTry, kwCatch
    // Special
    case error, eof

    /// Keyword spellings, for the lexer.
    static let keywords: [String: TokenKind] = [
        "let": .kwLet, "fn": .kwFn, "return": .kwReturn, "if": .kwIf, "else": .kwElse,
        "while": .kwWhile, "for": .kwFor, "in": .kwIn, "break": .kwBreak, "continue": .kwContinue,
        "true": .kwTrue, "false": .kwFalse, "nil": .kwNil, "and": .kwAnd, "or": .kwOr,
        "not": .kwNot, "import": .kwImport, "try": .kwTry, "catch": .kwCatch,
    ]

    /// How the token is named in syntax errors.
    var display: String {
        switch self {
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .colon: return "':'"
        case .semicolon: return "';'"
        case .newline: return "end of line"
        case .identifier: return "name"
        case .number: return "number"
        case .string: return "string"
        case .error: return "invalid token"
        case .eof: return "end of input"
        default:
            for (word, kind) in TokenKind.keywords where kind == self { return "'\(word)'" }
            for (text, kind) in TokenKind.operators where kind == self { return "'\(text)'" }
            return "token"
        }
    }

    static let operators: [(String, TokenKind)] = [
        ("+", .plus), ("-", .minus), ("*", .star), ("/", .slash), ("%", .percent), ("@", .at),
        ("**", .starStar), ("=", .equal), ("==", .equalEqual), ("!=", .bangEqual), ("<", .less),
        ("<=", .lessEqual), (">", .greater), (">=", .greaterEqual), ("+=", .plusEqual),
        ("-=", .minusEqual), ("*=", .starEqual), ("/=", .slashEqual), ("..<", .dotDotLess),
        ("...", .dotDotDot), ("=>", .arrow),
    ]
}

/// One piece of an interpolated string: literal text, or an expression with an optional format.
enum StringPart {
    case text(String)
    /// The expression's byte range in the source, and the format after a top-level `:`.
    case expression(start: Int, end: Int, line: Int, column: Int, format: String?)
}

/// A token with its location. `text` holds the identifier, the error message, or nothing.
struct Token {
    var kind: TokenKind
    var start: Int
    var end: Int
    var line: Int
    var column: Int
    var text: String = ""
    var number: Double = 0
    var parts: [StringPart] = []
    /// True when a newline separated this token from the previous one.
    var afterNewline = false

    func span(in source: Source) -> SourceSpan {
        SourceSpan(source: source, line: line, column: column, start: start, end: end)
    }
}
