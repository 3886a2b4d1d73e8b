/// Turns UTF-8 source bytes into tokens, one at a time (`next()`), each with its span.
///
/// Newlines become `.newline` tokens (runs of blank and comment lines collapse into one); the
/// parser decides where they end statements. Strings with `{...}` become `.string` tokens with
/// parts; the parser lexes and parses each interpolated expression from its byte range.
struct Lexer {
    let source: Source
    private let bytes: [UInt8]
    private var pos: Int
    private let end: Int
    private var line: Int
    private var column: Int
    /// How many strings the scanner is inside (a string in an interpolation in a string...).
    private var stringNesting = 0
    /// Set when a string nests deeper than `maxStringNesting`; the outermost string reports it.
    private var nestedTooDeep = false
    /// Strings nest at most this deep through interpolations: the parser re-lexes each level,
    /// so unbounded nesting would cost quadratic time.
    static let maxStringNesting = 16
    static let nestedTooDeepMessage = "strings nested too deeply in interpolations (at most \(maxStringNesting) levels)"

    init(source: Source, start: Int = 0, end: Int? = nil, line: Int = 1, column: Int = 1) {
        self.source = source
        self.bytes = source.bytes
        self.pos = start
        self.end = end ?? source.bytes.count
        self.line = line
        self.column = column
        if start == 0, bytes.count >= 2, bytes[0] == UInt8(ascii: "#"), bytes[1] == UInt8(ascii: "!") {
            skipToLineEnd()
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let p = pos + offset
        return p < end ? bytes[p] : 0
    }

    /// Moves one byte; columns count characters (bytes that are not UTF-8 continuation bytes).
    private mutating func bump() {
        let b = bytes[pos]
        pos += 1
        if b == 10 {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func skipToLineEnd() {
        while pos < end, bytes[pos] != 10 { bump() }
    }

    /// The next token; `.eof` forever at the end.
    mutating func next() -> Token {
        var sawNewline = false
        var newlineToken: Token?
        while pos < end {
            let b = bytes[pos]
            if b == 32 || b == 9 || b == 13 {
                bump()
            } else if b == 10 {
                if newlineToken == nil {
                    newlineToken = Token(kind: .newline, start: pos, end: pos + 1, line: line, column: column)
                }
                sawNewline = true
                bump()
            } else if b == UInt8(ascii: "#") {
                skipToLineEnd()
            } else if b == UInt8(ascii: "\\"), peek(1) == 10 {
                bump(); bump()  // explicit line continuation
            } else {
                break
            }
        }
        if var nl = newlineToken {
            nl.afterNewline = true
            return nl
        }
        guard pos < end else {
            var t = Token(kind: .eof, start: end, end: end, line: line, column: column)
            t.afterNewline = sawNewline
            return t
        }
        var token = scanToken()
        token.afterNewline = sawNewline
        return token
    }

    private mutating func make(_ kind: TokenKind, _ start: Int, _ line: Int, _ column: Int) -> Token {
        Token(kind: kind, start: start, end: pos, line: line, column: column)
    }

    private mutating func scanToken() -> Token {
        let start = pos, startLine = line, startColumn = column
        let b = bytes[pos]
        if isDigit(b) || (b == UInt8(ascii: ".") && isDigit(peek(1))) {
            return scanNumber()
        }
        if b == UInt8(ascii: "\"") {
            return scanString()
        }
        if isIdentifierStart(at: pos) {
            while pos < end, isIdentifierContinue(at: pos) { advanceScalar() }
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            if let keyword = TokenKind.keywords[text] {
                return make(keyword, start, startLine, startColumn)
            }
            var t = make(.identifier, start, startLine, startColumn)
            t.text = text
            return t
        }
        bump()
        let kind: TokenKind?
        switch b {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "["): kind = .leftBracket
        case UInt8(ascii: "]"): kind = .rightBracket
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: "@"): kind = .at
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "+"): kind = match("=") ? .plusEqual : .plus
        case UInt8(ascii: "-"): kind = match("=") ? .minusEqual : .minus
        case UInt8(ascii: "/"): kind = match("=") ? .slashEqual : .slash
        case UInt8(ascii: "*"): kind = match("*") ? .starStar : (match("=") ? .starEqual : .star)
        case UInt8(ascii: "="): kind = match("=") ? .equalEqual : (match(">") ? .arrow : .equal)
        case UInt8(ascii: "<"): kind = match("=") ? .lessEqual : .less
        case UInt8(ascii: ">"): kind = match("=") ? .greaterEqual : .greater
        case UInt8(ascii: "!"): kind = match("=") ? .bangEqual : nil
        case UInt8(ascii: "."):
            if peek() == UInt8(ascii: "."), peek(1) == UInt8(ascii: "<") {
                bump(); bump(); kind = .dotDotLess
            } else if peek() == UInt8(ascii: "."), peek(1) == UInt8(ascii: ".") {
                bump(); bump(); kind = .dotDotDot
            } else {
                kind = .dot
            }
        default: kind = nil
        }
        if let kind { return make(kind, start, startLine, startColumn) }
        // A stray character: report the whole UTF-8 sequence (a run of the same one is one token).
        while pos < end, bytes[pos] & 0xC0 == 0x80 { bump() }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        let width = pos - start
        while pos + width <= end, bytes[pos..<(pos + width)].elementsEqual(bytes[start..<(start + width)]) {
            for _ in 0..<width { bump() }
        }
        var t = make(.error, start, startLine, startColumn)
        t.end = start + width
        t.text = b == UInt8(ascii: "!") ? "unexpected character '!' (use 'not')" : "unexpected character '\(text)'"
        if b == UInt8(ascii: "&") || b == UInt8(ascii: "|") { t.text += Suggestions.syntaxNote(text + text) }
        return t
    }

    private mutating func match(_ c: Unicode.Scalar) -> Bool {
        if pos < end, bytes[pos] == UInt8(c.value) {
            bump()
            return true
        }
        return false
    }

    // MARK: Numbers

    private mutating func scanNumber() -> Token {
        let start = pos, startLine = line, startColumn = column
        // Fast path: a plain integer.
        var p = pos
        var whole: Double = 0
        while p < end, isDigit(bytes[p]), p - pos < 15 {
            whole = whole * 10 + Double(bytes[p] - 48)
            p += 1
        }
        if p > pos, p == end || !(isDigit(bytes[p]) || bytes[p] == UInt8(ascii: "_") || bytes[p] == UInt8(ascii: ".")
                                 || bytes[p] == UInt8(ascii: "e") || bytes[p] == UInt8(ascii: "E") || isIdentifierStart(at: p)) {
            column += p - pos
            pos = p
            var t = make(.number, start, startLine, startColumn)
            t.number = whole
            return t
        }
        var digits: [UInt8] = []
        func take(_ lexer: inout Lexer) {
            while lexer.pos < lexer.end, isDigit(lexer.bytes[lexer.pos]) || lexer.bytes[lexer.pos] == UInt8(ascii: "_") {
                if lexer.bytes[lexer.pos] != UInt8(ascii: "_") { digits.append(lexer.bytes[lexer.pos]) }
                lexer.bump()
            }
        }
        take(&self)
        // A fraction, but not the start of a range `0..<n`.
        if peek() == UInt8(ascii: "."), peek(1) != UInt8(ascii: "."), !isIdentifierStart(at: pos + 1) {
            digits.append(UInt8(ascii: "."))
            bump()
            take(&self)
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
            if isDigit(peek(sign ? 2 : 1)) {
                digits.append(UInt8(ascii: "e"))
                bump()
                if sign { digits.append(bytes[pos]); bump() }
                take(&self)
            }
        }
        var t = make(.number, start, startLine, startColumn)
        if let value = Double(String(decoding: digits, as: UTF8.self)) {
            t.number = value
        } else {
            t.kind = .error
            t.text = "malformed number"
        }
        if pos < end, isIdentifierStart(at: pos) {
            while pos < end, isIdentifierContinue(at: pos) { advanceScalar() }
            t.kind = .error
            t.end = pos
            t.text = "malformed number '\(String(decoding: bytes[start..<pos], as: UTF8.self))'"
        }
        return t
    }

    // MARK: Strings

    private mutating func scanString() -> Token {
        let start = pos, startLine = line, startColumn = column
        bump()  // opening quote
        stringNesting += 1
        defer { stringNesting -= 1 }
        if stringNesting > Lexer.maxStringNesting {
            nestedTooDeep = true
            var t = make(.error, start, startLine, startColumn)
            t.text = Lexer.nestedTooDeepMessage
            return t
        }
        var parts: [StringPart] = []
        var text: [UInt8] = []
        var problem: String?
        while true {
            guard pos < end, bytes[pos] != 10 else {
                var t = make(.error, start, startLine, startColumn)
                t.text = "unterminated string"
                return t
            }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                bump()
                break
            }
            if c == UInt8(ascii: "\\") {
                let escStart = pos, escLine = line, escColumn = column
                bump()
                guard pos < end, bytes[pos] != 10 else { continue }
                let e = bytes[pos]
                bump()
                switch e {
                case UInt8(ascii: "n"): text.append(10)
                case UInt8(ascii: "t"): text.append(9)
                case UInt8(ascii: "r"): text.append(13)
                case UInt8(ascii: "0"): text.append(0)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "'"):
                    text.append(e)
                default:
                    if problem == nil {
                        _ = (escStart, escLine, escColumn)
                        problem = "unknown escape sequence '\\\(String(decoding: [e], as: UTF8.self))'"
                    }
                }
                continue
            }
            if c == UInt8(ascii: "{") {
                if !text.isEmpty {
                    parts.append(.text(String(decoding: text, as: UTF8.self)))
                    text.removeAll()
                }
                bump()
                let exprStart = pos, exprLine = line, exprColumn = column
                guard let (exprEnd, format) = scanInterpolation() else {
                    if nestedTooDeep && stringNesting == 1 { skipToLineEnd() }  // one error, not a cascade
                    var t = make(.error, start, startLine, startColumn)
                    t.text = nestedTooDeep ? Lexer.nestedTooDeepMessage : "unterminated string"
                    return t
                }
                parts.append(.expression(start: exprStart, end: exprEnd, line: exprLine, column: exprColumn, format: format))
                continue
            }
            if c == UInt8(ascii: "}") {
                // A lone '}' is kept as text.
            }
            text.append(c)
            bump()
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))) }
        var t = make(.string, start, startLine, startColumn)
        if let problem {
            t.kind = .error
            t.text = problem
            return t
        }
        t.parts = parts
        return t
    }

    /// Scans an interpolated expression up to its closing `}` (which it consumes); returns the
    /// byte where the expression ends and the format after a top-level `:`.
    private mutating func scanInterpolation() -> (Int, String?)? {
        var depth = 0
        var exprEnd: Int?
        var formatStart = 0
        while pos < end, bytes[pos] != 10 {
            let c = bytes[pos]
            if exprEnd == nil {
                switch c {
                case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                case UInt8(ascii: ")"), UInt8(ascii: "]"):
                    depth -= 1
                case UInt8(ascii: "}"):
                    if depth == 0 {
                        let e = pos
                        bump()
                        return (e, nil)
                    }
                    depth -= 1
                case UInt8(ascii: ":") where depth == 0:
                    exprEnd = pos
                    bump()
                    formatStart = pos
                    continue
                case UInt8(ascii: "\""):
                    // A string inside the expression: skip it whole (it may interpolate too).
                    let saved = (pos, line, column)
                    let inner = scanString()
                    if inner.kind == .error && (inner.text == "unterminated string" || nestedTooDeep) {
                        (pos, line, column) = saved
                        return nil
                    }
                    continue
                default:
                    break
                }
                bump()
            } else {
                if c == UInt8(ascii: "}") {
                    let format = String(decoding: bytes[formatStart..<pos], as: UTF8.self)
                    bump()
                    return (exprEnd ?? pos, format)
                }
                bump()
            }
        }
        return nil
    }

    // MARK: Characters

    private func scalar(at p: Int) -> (Unicode.Scalar, Int)? {
        let b0 = bytes[p]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        var decoder = UTF8()
        var iterator = bytes[p..<min(end, p + 4)].makeIterator()
        if case .scalarValue(let s) = decoder.decode(&iterator) {
            return (s, UTF8.width(s))
        }
        return nil
    }

    private mutating func advanceScalar() {
        let width = scalar(at: pos)?.1 ?? 1
        for _ in 0..<width where pos < end { bump() }
    }

    private func isIdentifierStart(at p: Int) -> Bool {
        guard p < end else { return false }
        let b = bytes[p]
        if b < 0x80 { return isLetter(b) || b == UInt8(ascii: "_") }
        guard let (s, _) = scalar(at: p) else { return false }
        return s.properties.isAlphabetic
    }

    private func isIdentifierContinue(at p: Int) -> Bool {
        let b = bytes[p]
        if b < 0x80 { return isLetter(b) || isDigit(b) || b == UInt8(ascii: "_") }
        guard let (s, _) = scalar(at: p) else { return false }
        let p = s.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
@inline(__always) func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
