/// The header dict of a `.npy` file, parsed from its Python-literal text without evaluating anything:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NpyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// NumPy's limit on dimensions (`NPY_MAXDIMS`).
    static let maxRank = 64

    private enum Literal {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    static func parse(_ bytes: [UInt8]) throws -> NpyHeader {
        var parser = Parser(bytes: bytes)
        let entries = try parser.dict()
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (key, value) in entries {
            switch (key, value) {
            case ("descr", .string(let s)) where descr == nil: descr = s
            case ("fortran_order", .bool(let b)) where fortran == nil: fortran = b
            case ("shape", .tuple(let t)) where shape == nil: shape = t
            case ("descr", _), ("fortran_order", _), ("shape", _):
                throw FormatError("header key '\(key)' is repeated or has the wrong type")
            default:
                throw FormatError("header has an unexpected key '\(key)' (expected descr, fortran_order, shape)")
            }
        }
        guard let descr, let fortran, let shape else {
            throw FormatError("header must have the keys descr, fortran_order and shape")
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ what: String) -> FormatError { FormatError("invalid header at byte \(i): \(what)") }

        mutating func space() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
        }

        func peek(_ c: Character) -> Bool { i < bytes.count && bytes[i] == c.asciiValue }

        mutating func take(_ c: Character) throws {
            guard peek(c) else { throw fail("expected '\(c)'") }
            i += 1
        }

        mutating func dict() throws -> [(String, Literal)] {
            space()
            try take("{")
            var entries: [(String, Literal)] = []
            space()
            while !peek("}") {
                guard entries.count < 8 else { throw fail("too many keys") }
                let key = try string()
                space()
                try take(":")
                space()
                entries.append((key, try literal()))
                space()
                if peek(",") { i += 1; space() } else if !peek("}") { throw fail("expected ',' or '}'") }
            }
            i += 1
            space()
            guard i == bytes.count else { throw fail("unexpected text after the dict") }
            return entries
        }

        mutating func literal() throws -> Literal {
            if peek("'") || peek("\"") { return .string(try string()) }
            if peek("(") { return .tuple(try tuple()) }
            for (word, value) in [("True", true), ("False", false)] where bytes[i...].starts(with: Array(word.utf8)) {
                i += word.utf8.count
                return .bool(value)
            }
            throw fail("expected a string, True, False or a tuple")
        }

        mutating func string() throws -> String {
            guard i < bytes.count, bytes[i] == 0x27 || bytes[i] == 0x22 else { throw fail("expected a quoted string") }
            let quote = bytes[i]
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != quote {
                guard bytes[i] != 0x5C, bytes[i] >= 0x20, bytes[i] < 0x7F else { throw fail("unsupported character in a string") }
                i += 1
            }
            guard i < bytes.count else { throw fail("unterminated string") }
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func tuple() throws -> [Int] {
            try take("(")
            var items: [Int] = []
            var trailingComma = false
            space()
            while !peek(")") {
                guard items.count < NpyHeader.maxRank else { throw fail("more than \(NpyHeader.maxRank) dimensions") }
                let start = i
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                guard i > start, i - start <= 18, let n = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                    throw fail("shape must hold non-negative integers")
                }
                if peek("L") { i += 1 }  // Python 2 long suffix
                items.append(n)
                space()
                trailingComma = peek(",")
                if trailingComma { i += 1; space() } else if !peek(")") { throw fail("expected ',' or ')'") }
            }
            // `(3)` is the number 3 in Python, not a tuple.
            guard items.count != 1 || trailingComma else { throw fail("shape must be a tuple") }
            i += 1
            return items
        }
    }
}
