/// String built-ins as free functions (`join(xs, ", ")`, `split(s, ",")`), and `contains`, which
/// also looks into lists and dicts. Positions count
/// characters as `len` and `s[i]` do (grapheme clusters); searching compares UTF-8 bytes exactly.
enum CoreStrings {
    static let table: [Builtin] = [
        Builtin("upper(s)", "the string in upper case", example: "upper(\"ddim\")   # \"DDIM\"") { args, _ in
            .string(try args.string("s").uppercased())
        },
        Builtin("lower(s)", "the string in lower case", example: "lower(\"DDIM\")   # \"ddim\"") { args, _ in
            .string(try args.string("s").lowercased())
        },
        Builtin("split(s, sep)", "the pieces of s between occurrences of sep (default: runs of whitespace)",
                example: "split(\"a,b,,c\", \",\")   # [\"a\", \"b\", \"\", \"c\"]") { args, _ in
            let s = try args.string("s")
            guard args.has("sep") else {
                let words = s.split(whereSeparator: \.isWhitespace).map { Value.string(String($0)) }
                return .list(ListObject(words))
            }
            let sep = Array(try args.string("sep").utf8)
            guard !sep.isEmpty else { throw args.error("sep", "empty separator") }
            let bytes = Array(s.utf8)
            var pieces: [Value] = []
            var start = 0
            while let hit = find(bytes, sep, from: start) {
                pieces.append(.string(String(decoding: bytes[start..<hit], as: UTF8.self)))
                start = hit + sep.count
            }
            pieces.append(.string(String(decoding: bytes[start...], as: UTF8.self)))
            return .list(ListObject(pieces))
        },
        Builtin("join(xs, sep = \"\")", "the elements of a list as strings, with sep between them",
                example: "join([1, 2, 3], \", \")   # \"1, 2, 3\"") { args, context in
            let items = try CoreSupport.items(try args.value("xs"), args, position: 0, context: context)
            let sep = try args.string("sep")
            let pieces = items.map { item -> String in
                if case .string(let s) = item { return s }
                return context.describe(item, repr: false)
            }
            try Growth.string(pieces.reduce(0) { $0 + $1.utf8.count } + sep.utf8.count * Swift.max(pieces.count - 1, 0))
            return .string(pieces.joined(separator: sep))
        },
        Builtin("replace(s, old, new)", "s with every occurrence of old replaced by new",
                example: "replace(\"a-b-c\", \"-\", \"+\")   # \"a+b+c\"") { args, _ in
            let bytes = Array(try args.string("s").utf8)
            let old = Array(try args.string("old").utf8)
            let new = Array(try args.string("new").utf8)
            guard !old.isEmpty else { throw args.error("old", "empty string") }
            var out: [UInt8] = []
            var start = 0
            while let hit = find(bytes, old, from: start) {
                if out.count + new.count > out.capacity { try Growth.string(2 * (out.count + new.count + hit - start)) }
                out.append(contentsOf: bytes[start..<hit])
                out.append(contentsOf: new)
                start = hit + old.count
            }
            out.append(contentsOf: bytes[start...])
            return .string(String(decoding: out, as: UTF8.self))
        },
        Builtin("starts_with(s, prefix)", "true when s begins with prefix", example: "starts_with(\"unet.conv\", \"unet.\")   # true") { args, _ in
            .bool(Array(try args.string("s").utf8).starts(with: Array(try args.string("prefix").utf8)))
        },
        Builtin("ends_with(s, suffix)", "true when s ends with suffix", example: "ends_with(\"w.safetensors\", \".safetensors\")   # true") { args, _ in
            .bool(Array(try args.string("s").utf8).reversed().starts(with: Array(try args.string("suffix").utf8).reversed()))
        },
        Builtin("find(s, sub)", "the position of the first occurrence of sub in s, or -1", example: "find(\"hello\", \"l\")   # 2") { args, _ in
            let s = try args.string("s")
            let bytes = Array(s.utf8)
            guard let hit = find(bytes, Array(try args.string("sub").utf8), from: 0) else { return .number(-1) }
            return .number(Double(String(decoding: bytes[..<hit], as: UTF8.self).count))
        },
        Builtin("contains(container, x)", "true when a string contains x, a list holds x, or a dict has the key x",
                example: "contains(\"diffusion\", \"fus\")   # true") { args, context in
            try CoreCollections.member(args, context: context)
        },
        strip("strip", "s without leading and trailing whitespace (or the characters in chars)", "strip(\"  hi \")   # \"hi\"", leading: true, trailing: true),
        strip("lstrip", "s without leading whitespace (or the characters in chars)", "lstrip(\"  hi \")   # \"hi \"", leading: true, trailing: false),
        strip("rstrip", "s without trailing whitespace (or the characters in chars)", "rstrip(\"  hi \")   # \"  hi\"", leading: false, trailing: true),
        Builtin("ord(c)", "the code point of a one-character string", example: "ord(\"A\")   # 65") { args, _ in
            let s = try args.string("c")
            guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
                throw args.error("c", "string of one code point expected, got \(s.unicodeScalars.count)")
            }
            return .number(Double(c.value))
        },
        Builtin("chr(n)", "the one-character string of code point n", example: "chr(945)   # \"α\"") { args, _ in
            let n = try args.int("n")
            guard n >= 0, n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else {
                throw args.error("n", "\(n) is not a valid code point")
            }
            return .string(String(Character(scalar)))
        },
    ]

    static func strip(_ name: String, _ summary: String, _ example: String, leading: Bool, trailing: Bool) -> Builtin {
        Builtin("\(name)(s, chars)", summary, example: example) { args, _ in
            let s = try args.string("s")
            let chars = args.has("chars") ? Set(try args.string("chars")) : nil
            let drop: (Character) -> Bool = { c in chars.map { $0.contains(c) } ?? c.isWhitespace }
            var rest = Substring(s)
            if leading { while let f = rest.first, drop(f) { rest.removeFirst() } }
            if trailing { while let l = rest.last, drop(l) { rest.removeLast() } }
            return .string(String(rest))
        }
    }

    /// The first byte offset at or after `from` where `needle` occurs in `haystack` (empty needle: `from`).
    static func find(_ haystack: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        let last = haystack.count - needle.count
        var i = from
        while i <= last {
            if haystack[i] == needle.first ?? 0 || needle.isEmpty {
                var j = 0
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

