/// What error messages add after themselves: the `Habit` of a newcomer when one matches, otherwise
/// "did you mean …" with the closest name in scope by edit distance.
public enum Suggestions {
    /// ` (HINT)`, ` (did you mean 'NAME'?)`, or nothing; `function` is the callee of a keyword argument.
    public static func note<S: Sequence>(for name: String, _ kind: Habit.Kind, candidates: S,
                                         function: String? = nil) -> String where S.Element == String {
        if let habit = Habit.find(kind, name, function: function) { return " (\(habit.hint))" }
        guard let best = closest(to: name, in: candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }

    /// ` (HINT)` for a syntax habit, or nothing.
    static func syntaxNote(_ key: String) -> String {
        Habit.find(.syntax, key).map { " (\($0.hint))" } ?? ""
    }

    /// The candidate closest to `name` when it is close enough to be a slip: a different case, or
    /// (for names of three or more letters) at most one edit per three letters, three at most.
    public static func closest<S: Sequence>(to name: String, in candidates: S) -> String? where S.Element == String {
        let target = Array(name.unicodeScalars)
        let lowered = name.lowercased()
        let limit = target.count < 3 ? 0 : Swift.min(3, Swift.max(1, target.count / 3))
        var best: (distance: Int, name: String)?
        for candidate in Set(candidates) where candidate != name && !candidate.isEmpty {
            let d = candidate.lowercased() == lowered ? 0 : distance(target, Array(candidate.unicodeScalars), limit: limit)
            guard d <= limit else { continue }
            if let current = best, (current.distance, current.name) <= (d, candidate) { continue }
            best = (d, candidate)
        }
        return best?.name
    }

    /// The optimal-string-alignment distance (insertions, deletions, substitutions and swaps of
    /// neighbours each cost 1); `limit + 1` once it must exceed `limit`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if Swift.abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return Swift.max(a.count, b.count) }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = Swift.min(d, before[j - 2] + 1) }
                current[j] = d
                rowMinimum = Swift.min(rowMinimum, d)
            }
            if rowMinimum > limit { return limit + 1 }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}

extension Suggestions {
    /// For a call whose callee is a member that is not a function (`x.numel()`, `x.shape()`): the
    /// habit of that name, or the advice to drop the parentheses. Read from the call's source text.
    static func calledProperty(_ span: SourceSpan?) -> String {
        guard let span, span.start < span.end, span.end <= span.source.bytes.count else { return "" }
        let text = Array(span.source.bytes[span.start..<span.end])
        guard text.last == UInt8(ascii: ")") else { return "" }
        var depth = 0
        var open = text.count - 1
        while open >= 0 {
            if text[open] == UInt8(ascii: ")") { depth += 1 }
            if text[open] == UInt8(ascii: "(") { depth -= 1; if depth == 0 { break } }
            open -= 1
        }
        var start = open
        while start > 0, text[start - 1] == UInt8(ascii: "_") || text[start - 1] >= 0x80
                || (text[start - 1] | 0x20 >= UInt8(ascii: "a") && text[start - 1] | 0x20 <= UInt8(ascii: "z"))
                || (text[start - 1] >= UInt8(ascii: "0") && text[start - 1] <= UInt8(ascii: "9")) {
            start -= 1
        }
        guard open > 0, start > 0, start < open, text[start - 1] == UInt8(ascii: ".") else { return "" }
        let member = String(decoding: text[start..<open], as: UTF8.self)
        if let habit = Habit.find(.call, member) { return " (\(habit.hint))" }
        return " (.\(member) is not a method: drop the parentheses)"
    }
}
