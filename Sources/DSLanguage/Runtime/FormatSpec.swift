import DSLimits

/// A format after `:` in an interpolation, Python's subset `[[fill]align][sign][0][width][,][.precision][type]`
/// with types `f e g d %` (and `s`).
struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var width = 0
    /// `,` or `_` between thousands, or nil.
    var grouping: Character?
    var precision: Int?
    var type: Character?

    init?(parsing text: String) {
        var chars = Array(text)
        var i = 0
        func isAlign(_ c: Character) -> Bool { c == "<" || c == ">" || c == "^" || c == "=" }
        if chars.count >= 2, isAlign(chars[1]) {
            fill = chars[0]
            align = chars[1]
            i = 2
        } else if let c = chars.first, isAlign(c) {
            align = c
            i = 1
        }
        if i < chars.count, chars[i] == "+" || chars[i] == "-" || chars[i] == " " {
            sign = chars[i]
            i += 1
        }
        if i < chars.count, chars[i] == "0" {
            if align == nil {
                fill = "0"
                align = "="
            }
            i += 1
        }
        var digits = 0
        while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
            width = width * 10 + d
            digits += 1
            i += 1
            if digits > 4 { return nil }
        }
        if i < chars.count, chars[i] == "," || chars[i] == "_" {
            grouping = chars[i]
            i += 1
        }
        if i < chars.count, chars[i] == "." {
            i += 1
            var p = 0, n = 0
            while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
                p = p * 10 + d
                n += 1
                i += 1
                if n > 3 { return nil }
            }
            if n == 0 { return nil }
            precision = p
        }
        if i < chars.count, "fFeEgGd%s".contains(chars[i]) {
            type = chars[i]
            i += 1
        }
        if i != chars.count { return nil }
        chars.removeAll()
    }

    func apply(to value: Value, context: CallContext) throws -> String {
        if case .number(let x) = value, type != "s" {
            return pad(number(x), numeric: true)
        }
        if case .bool(let b) = value, type == "d" {
            return pad(b ? "1" : "0", numeric: true)
        }
        if case .native = value, type != "s", type != nil || precision != nil,
           let x = try nativeScalar(value, context: context) {
            // A one-element tensor formats as its number (`"loss {loss:.4f}"`).
            return pad(number(x), numeric: true)
        }
        if let type, type != "s" {
            throw ScriptError("format '\(type)' needs a number, got \(value.typeName)")
        }
        var text = context.describe(value, repr: false)
        if let precision, text.count > precision { text = String(text.prefix(precision)) }
        return pad(text, numeric: false)
    }

    func number(_ x: Double) -> String {
        var body: String
        let negative = x < 0 || (x == 0 && x.sign == .minus && type != "d")
        let magnitude = Swift.abs(x)
        switch type {
        case "f", "F": body = NumberText.printf("%.\(precision ?? 6)f", magnitude)
        case "e", "E": body = NumberText.printf("%.\(precision ?? 6)\(type == "E" ? "E" : "e")", magnitude)
        case "g", "G": body = NumberText.printf("%.\(precision ?? 6)\(type == "G" ? "G" : "g")", magnitude)
        case "%": body = NumberText.printf("%.\(precision ?? 6)f", magnitude * 100) + "%"
        case "d":
            body = magnitude.isFinite ? NumberText.printf("%.0f", magnitude.rounded()) : formatNumber(magnitude)
        default:
            if let precision {
                body = NumberText.printf("%.\(Swift.max(precision, 1))g", magnitude)
            } else {
                body = formatNumber(magnitude)
            }
        }
        if x.isNaN { body = "nan" }
        if let grouping { body = grouped(body, separator: grouping) }
        let signText: String
        if negative && !x.isNaN && !(type == "d" && x.rounded() == 0) {
            signText = "-"
        } else {
            signText = sign == "+" ? "+" : (sign == " " ? " " : "")
        }
        return signText + body
    }

    func grouped(_ body: String, separator: Character) -> String {
        let digits = body.prefix { $0.isNumber }
        let rest = body.dropFirst(digits.count)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(c)
        }
        return out + rest
    }

    func pad(_ text: String, numeric: Bool) -> String {
        let n = text.count
        guard width > n else { return text }
        let gap = width - n
        let filler = { (k: Int) in String(repeating: fill, count: k) }
        switch align ?? (numeric ? ">" : "<") {
        case "<": return text + filler(gap)
        case "^": return filler(gap / 2) + text + filler(gap - gap / 2)
        case "=":
            if let first = text.first, first == "-" || first == "+" || first == " " {
                return String(first) + filler(gap) + text.dropFirst()
            }
            return filler(gap) + text
        default: return filler(gap) + text
        }
    }
}
