#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numeric built-ins: elementary functions, rounding, min/max/clamp, sum, conversions.
/// Each function given a native object (a tensor) calls the object's method of the same name.
enum CoreMath {
    static let table: [Builtin] = elementary + [
        Builtin("log(x, base)", "natural logarithm, or the logarithm to `base`", example: "log(8, 2)   # 3") { args, context in
            if let r = try CoreSupport.forward("log", args, context: context) { return r }
            let x = try args.number("x")
            guard args.has("base") else { return .number(log(x)) }
            return .number(log(x) / log(try args.number("base")))
        },
        Builtin("round(x, digits = 0)", "nearest number with `digits` decimals (ties to even, as Python and torch)",
                example: "round(2.675, 2)   # 2.67") { args, context in
            if let r = try CoreSupport.forward("round", args, context: context) { return r }
            return .number(roundTo(try args.number("x"), digits: try args.int("digits")))
        },
        Builtin("pow(x, y)", "x raised to the power y", example: "pow(2, 10)   # 1024") { args, context in
            let x = try args.value("x"), y = try args.value("y")
            if case .native(let o) = x, let r = try o.binary(.pow, y, reversed: false, context: context) { return r }
            if case .native(let o) = y, let r = try o.binary(.pow, x, reversed: true, context: context) { return r }
            return .number(pow(try args.number("x"), try args.number("y")))
        },
        Builtin("atan2(y, x)", "angle of the point (x, y) in radians, in (-pi, pi]", example: "atan2(1, 1)   # 0.7853981633974483") { args, _ in
            .number(atan2(try args.number("y"), try args.number("x")))
        },
        Builtin("clamp(x, lo, hi)", "x limited to [lo, hi]; nil leaves a side open", example: "clamp(1.7, 0, 1)   # 1") { args, context in
            if let r = try CoreSupport.forward("clamp", args, context: context) { return r }
            var x = try args.number("x")
            let lo = args.has("lo") ? try args.number("lo") : nil
            let hi = args.has("hi") ? try args.number("hi") : nil
            if let lo, let hi, lo > hi { throw args.error("lo", "lo \(formatNumber(lo)) is greater than hi \(formatNumber(hi))") }
            if x.isNaN { return .number(x) }
            if let lo, x < lo { x = lo }
            if let hi, x > hi { x = hi }
            return .number(x)
        },
        extremum("min", "smallest of the arguments, or of one list", "min(3, 1, 2)   # 1", largest: false),
        extremum("max", "largest of the arguments, or of one list", "max([3, 1, 2])   # 3", largest: true),
        Builtin("sum(xs, start = 0, axis, keepdim)", "the sum of a list or range (numbers or tensors); a tensor sums its elements (or along axis)",
                example: "sum([1, 2, 3])   # 6") { args, context in
            if let r = try CoreSupport.forward("sum", args, context: context) { return r }
            try CoreSupport.refuseTensorKeywords(args)
            // Numbers are added with Neumaier's compensated summation (as Python 3.12's sum);
            // from the first non-number on, values are added with their own `+` (tensors).
            var total: Value?
            var plain = 0.0, compensation = 0.0
            switch args.optional("start") {
            case .number(let s)?: plain = s
            case let other?: total = other
            case nil: break
            }
            // With an infinity the compensation is nan; the plain sum is then the answer.
            func numeric() -> Value { .number(plain.isFinite ? plain + compensation : plain) }
            try CoreSupport.forEach(try args.value("xs"), args, position: 0, context: context) { x in
                if total == nil, case .number(let v) = x {
                    let t = plain + v
                    compensation += Swift.abs(plain) >= Swift.abs(v) ? (plain - t) + v : (v - t) + plain
                    plain = t
                    return true
                }
                total = try CoreSupport.add(total ?? numeric(), x, args, context: context)
                return true
            }
            return total ?? numeric()
        },
        Builtin("isnan(x)", "true when x is not a number", example: "isnan(nan)   # true") { args, context in
            if let r = try CoreSupport.forward("isnan", args, context: context) { return r }
            return .bool(try args.number("x").isNaN)
        },
        Builtin("isinf(x)", "true when x is infinite", example: "isinf(-inf)   # true") { args, context in
            if let r = try CoreSupport.forward("isinf", args, context: context) { return r }
            return .bool(try args.number("x").isInfinite)
        },
        Builtin("isfinite(x)", "true when x is neither infinite nor nan", example: "isfinite(1 / 0)   # false") { args, context in
            if let r = try CoreSupport.forward("isfinite", args, context: context) { return r }
            return .bool(try args.number("x").isFinite)
        },
        Builtin("num(x)", "a number from a string (\"1e-4\", \"1_000\", \"inf\") or a boolean", example: "num(\"2.5\") + 1   # 3.5") { args, context in
            let v = try args.value("x")
            switch v {
            case .number: return v
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let s):
                if let x = parseNumber(s) { return .number(x) }
                throw ScriptError("could not convert string to number: \(context.describe(v, repr: true))")
            case .native:
                if let r = try CoreSupport.forward("item", args, expected: "number or string", context: context) { return r }
            default: break
            }
            throw args.typeError("x", expected: "number or string", got: v)
        },
        Builtin("int(x)", "x truncated toward zero; a string is parsed first", example: "int(-2.7)   # -2") { args, context in
            let v = try args.value("x")
            let x: Double
            if case .string(let s) = v {
                guard let parsed = parseNumber(s) else {
                    throw ScriptError("could not convert string to integer: \(context.describe(v, repr: true))")
                }
                x = parsed
            } else {
                x = try args.number("x")
            }
            guard x.isFinite else { throw args.error("x", "cannot convert \(formatNumber(x)) to an integer") }
            return .number(x.rounded(.towardZero))
        },
    ]

    /// One-argument functions of a number (or, forwarded, of a tensor).
    static let elementary: [Builtin] = [
        unary("abs", "absolute value", "abs(-2)   # 2") { Swift.abs($0) },
        unary("sqrt", "square root (nan for negative numbers)", "sqrt(2)   # 1.4142135623730951") { $0.squareRoot() },
        unary("exp", "e raised to x", "exp(1)   # 2.718281828459045") { exp($0) },
        unary("log2", "base-2 logarithm", "log2(1024)   # 10") { log2($0) },
        unary("log10", "base-10 logarithm", "log10(1000)   # 3") { log10($0) },
        unary("sin", "sine of an angle in radians", "sin(pi / 2)   # 1") { sin($0) },
        unary("cos", "cosine of an angle in radians", "cos(0)   # 1") { cos($0) },
        unary("tan", "tangent of an angle in radians", "tan(pi / 4)   # 0.9999999999999999") { tan($0) },
        unary("atan", "arc tangent in radians", "atan(1) * 4   # 3.141592653589793") { atan($0) },
        unary("floor", "largest integer not above x", "floor(-1.5)   # -2") { $0.rounded(.down) },
        unary("ceil", "smallest integer not below x", "ceil(1.2)   # 2") { $0.rounded(.up) },
        unary("sign", "-1, 0 or 1 by the sign of x (nan stays nan)", "sign(-3)   # -1") { x in
            x.isNaN ? x : (x > 0 ? 1 : (x < 0 ? -1 : 0))
        },
    ]

    static func unary(_ name: String, _ summary: String, _ example: String, _ f: @escaping (Double) -> Double) -> Builtin {
        Builtin("\(name)(x)", summary, example: example) { args, context in
            if let r = try CoreSupport.forward(name, args, context: context) { return r }
            return .number(f(try args.number("x")))
        }
    }

    /// `min` / `max`: several numbers or strings, or one iterable; `key:` orders by a function;
    /// a native argument is asked for its own method (`min(x, axis: 0)` is `x.min(axis: 0)`).
    static func extremum(_ name: String, _ summary: String, _ example: String, largest: Bool) -> Builtin {
        Builtin("\(name)(...values, axis, keepdim, key)", summary, example: example) { args, context in
            if let position = CoreSupport.firstNative(args) {
                return try CoreSupport.forward(name, args, position: position, context: context) ?? .null
            }
            try CoreSupport.refuseTensorKeywords(args)
            var candidates = args.positional
            if candidates.count == 1 {
                if case .number = candidates[0] { return candidates[0] }
                candidates = try CoreSupport.items(candidates[0], args, position: 0, context: context)
            }
            guard var best = candidates.first else { throw ScriptError("\(name)() of an empty list") }
            let key = args.optional("key")
            func keyed(_ v: Value) throws -> Value {
                guard let key else { return v }
                return try context.call(key, Arguments([v], functionName: "key"))
            }
            var bestKey = try keyed(best)
            for candidate in candidates.dropFirst() {
                let k = try keyed(candidate)
                // nan wins, as in torch.max: a nan anywhere is visible in the result.
                if case .number(let x) = bestKey, x.isNaN { break }
                if case .number(let x) = k, x.isNaN { best = candidate; bestKey = k; continue }
                if largest ? try CoreSupport.less(bestKey, k, args) : try CoreSupport.less(k, bestKey, args) {
                    best = candidate
                    bestKey = k
                }
            }
            return best
        }
    }

    /// `x` rounded to `digits` decimals, ties to even on the exact binary value (Python's `round`).
    static func roundTo(_ x: Double, digits: Int) -> Double {
        guard x.isFinite else { return x }
        if digits == 0 { return x.rounded(.toNearestOrEven) }
        if digits < 0 {
            guard digits > -309 else { return 0 * x }
            let scale = pow(10, Double(-digits))
            return (x / scale).rounded(.toNearestOrEven) * scale
        }
        if digits > 30 { return x }
        return parseNumber(formatC(x, "f", precision: digits)) ?? x
    }

    /// `printf("%.<precision><conversion>", x)`.
    static func formatC(_ x: Double, _ conversion: String, precision: Int, flags: String = "") -> String {
        let format = "%\(flags).\(precision)\(conversion)"
        var buffer = [CChar](repeating: 0, count: 64)
        for _ in 0..<2 {
            let n = withVaList([x]) { list in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) }
            }
            if n < 0 { return formatNumber(x) }
            if Int(n) < buffer.count {
                return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
        }
        return formatNumber(x)
    }

    /// A decimal number as Python's `float()` reads it: optional sign, digits with single `_`
    /// between them, fraction, exponent, or `inf` / `infinity` / `nan`; surrounding spaces allowed.
    static func parseNumber(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        while let f = bytes.first, f == 32 || (9...13).contains(f) { bytes.removeFirst() }
        while let l = bytes.last, l == 32 || (9...13).contains(l) { bytes.removeLast() }
        var body = bytes[...]
        var negative = false
        if let f = body.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
            negative = f == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        let word = String(decoding: body, as: UTF8.self).lowercased()
        if word == "inf" || word == "infinity" { return negative ? -.infinity : .infinity }
        if word == "nan" { return .nan }
        // Validate the grammar, dropping underscores that sit between two digits.
        var clean: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        var digits = 0, seenDot = false, seenExp = false, expDigits = 0
        let list = Array(body)
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        for (i, c) in list.enumerated() {
            if isDigit(c) {
                if seenExp { expDigits += 1 } else { digits += 1 }
            } else if c == UInt8(ascii: "_") {
                guard i > 0, i + 1 < list.count, isDigit(list[i - 1]), isDigit(list[i + 1]) else { return nil }
                continue
            } else if c == UInt8(ascii: ".") {
                guard !seenDot, !seenExp else { return nil }
                seenDot = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                guard !seenExp, digits > 0 else { return nil }
                seenExp = true
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                guard i > 0, list[i - 1] == UInt8(ascii: "e") || list[i - 1] == UInt8(ascii: "E") else { return nil }
            } else {
                return nil
            }
            clean.append(c)
        }
        guard digits > 0, !seenExp || expDigits > 0 else { return nil }
        clean.append(0)
        return clean.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtod($0, nil) }
            }
        }
    }
}
