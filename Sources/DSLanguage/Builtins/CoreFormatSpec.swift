/// A Python-style format specification, `[[fill]align][sign][0][width][,|_][.precision][type]`,
/// as used by `format(value, spec)`: `.4f`, `.3e`, `.2g`, `d`, `%`, `>8`, `<8`, `^10`, `+,.2f`.
struct CoreFormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var zeroPad = false
    var width = 0
    var grouping: Character?
    var precision: Int?
    var type: Character?

    static let maxWidth = 10_000
    static let maxPrecision = 500

    init(_ spec: String) throws {
        var chars = Array(spec)[...]
        func fail() -> ScriptError { ScriptError("invalid format spec \"\(spec)\"") }
        if chars.count >= 2, "<>^=".contains(chars[chars.startIndex + 1]) {
            fill = chars.removeFirst()
            align = chars.removeFirst()
        } else if let c = chars.first, "<>^=".contains(c) {
            align = chars.removeFirst()
        }
        if let c = chars.first, "+- ".contains(c) { sign = chars.removeFirst() }
        if chars.first == "0" {
            zeroPad = true
            chars.removeFirst()
        }
        width = try CoreFormatSpec.readInt(&chars, limit: CoreFormatSpec.maxWidth, spec: spec) ?? 0
        if let c = chars.first, c == "," || c == "_" { grouping = chars.removeFirst() }
        if chars.first == "." {
            chars.removeFirst()
            guard let p = try CoreFormatSpec.readInt(&chars, limit: CoreFormatSpec.maxPrecision, spec: spec) else { throw fail() }
            precision = p
        }
        if let c = chars.first, "fFeEgGd%s".contains(c) { type = chars.removeFirst() }
        guard chars.isEmpty else { throw fail() }
    }

    static func readInt(_ chars: inout ArraySlice<Character>, limit: Int, spec: String) throws -> Int? {
        var value: Int?
        while let c = chars.first, let d = c.wholeNumberValue, c.isASCII {
            value = (value ?? 0) * 10 + d
            guard let v = value, v <= limit else { throw ScriptError("format spec \"\(spec)\": number larger than \(limit)") }
            chars.removeFirst()
        }
        return value
    }

    /// The value formatted by this spec; numbers take every part, other values only fill, align and width.
    func format(_ value: Value, context: CallContext) throws -> String {
        switch value {
        case .number(let x) where type != "s":
            return pad(formatNumber(x), numeric: true)
        case .string(let s):
            guard type == nil || type == "s" else { throw ScriptError("format code '\(type.map(String.init) ?? "")' is for numbers, got string") }
            var text = s
            if let p = precision { text = String(String.UnicodeScalarView(Array(s.unicodeScalars).prefix(p))) }
            return pad(text, numeric: false)
        default:
            guard type == nil || type == "s" else {
                throw ScriptError("format code '\(type.map(String.init) ?? "")' is for numbers, got \(value.typeName)")
            }
            return pad(context.describe(value, repr: false), numeric: false)
        }
    }

    func formatNumber(_ x: Double) -> String {
        var magnitude: String
        let negative = x < 0 || (x == 0 && x.sign == .minus && type != nil && type != "d")
        let a = Swift.abs(x)
        if x.isNaN {
            magnitude = "nan"
        } else if a.isInfinite {
            magnitude = "inf"
        } else {
            switch type {
            case "f", "F": magnitude = CoreMath.formatC(a, "f", precision: precision ?? 6)
            case "e", "E": magnitude = CoreMath.formatC(a, "e", precision: precision ?? 6)
            case "g", "G": magnitude = CoreMath.formatC(a, "g", precision: precision ?? 6)
            case "%": magnitude = CoreMath.formatC(a * 100, "f", precision: precision ?? 6) + "%"
            case "d": magnitude = CoreMath.formatC(a.rounded(.toNearestOrEven), "f", precision: 0)
            default:
                magnitude = precision.map { CoreMath.formatC(a, "g", precision: Swift.max($0, 1)) } ?? DSLanguage.formatNumber(a)
            }
        }
        if type == "F" || type == "E" || type == "G" { magnitude = magnitude.uppercased() }
        if let grouping { magnitude = group(magnitude, with: grouping) }
        let signText = negative && !x.isNaN ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
        return signText + "\u{0}" + magnitude  // NUL marks where '=' / zero padding goes
    }

    /// Inserts `separator` every three digits in the integer part.
    func group(_ text: String, with separator: Character) -> String {
        let chars = Array(text)
        let end = chars.firstIndex { !$0.isNumber } ?? chars.count
        guard end > 3 else { return text }
        var out: [Character] = []
        for (i, c) in chars[..<end].enumerated() {
            if i > 0 && (end - i) % 3 == 0 { out.append(separator) }
            out.append(c)
        }
        return String(out + chars[end...])
    }

    func pad(_ text: String, numeric: Bool) -> String {
        var parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { parts.insert("", at: 0) }
        let (prefix, body) = (parts[0], parts[1])
        let length = prefix.count + body.count
        guard length < width else { return prefix + body }
        let missing = width - length
        let padAlign = align ?? (zeroPad && numeric ? "=" : (numeric ? ">" : "<"))
        let fillChar = (zeroPad && align == nil) ? "0" : fill
        let padding = String(repeating: fillChar, count: missing)
        switch padAlign {
        case "<": return prefix + body + padding
        case "^":
            let left = missing / 2
            return String(repeating: fillChar, count: left) + prefix + body + String(repeating: fillChar, count: missing - left)
        case "=": return prefix + padding + body
        default: return padding + prefix + body
        }
    }
}
