/// Sizes in bytes as people write them: `8G`, `512M`, `1.5GiB`, `100000000` (K, M, G, T are powers
/// of 1024, as `ulimit` and `free -h` count).
public enum ByteCount {
    private static let units: [(suffix: String, shift: Int)] = [("K", 10), ("M", 20), ("G", 30), ("T", 40)]

    /// Bytes from `text` (a number with an optional unit K/M/G/T, with or without `B`/`iB`); nil
    /// when it is not a size or is beyond 2^62.
    public static func parse(_ text: String) -> Int? {
        var digits = Substring(text.uppercased())
        if digits.hasSuffix("IB") { digits = digits.dropLast(2) } else if digits.hasSuffix("B") { digits = digits.dropLast() }
        var scale = 1.0
        if let unit = units.first(where: { digits.hasSuffix($0.suffix) }) {
            digits = digits.dropLast()
            scale = Double(1 << unit.shift)
        }
        guard let number = Double(digits), number.isFinite, number >= 0 else { return nil }
        return bytes(number * scale)
    }

    /// A number of bytes (a script's `memory_limit(n)`), or nil when it is negative, not finite or beyond 2^62.
    public static func bytes(_ number: Double) -> Int? {
        guard number.isFinite, number >= 0, number <= 0x1p62 else { return nil }
        return Int(number.rounded())
    }

    /// `1.5 GiB`, `640 MiB`, `12 KiB`, `100 B`.
    public static func format(_ bytes: Int) -> String {
        for (suffix, shift) in units.reversed() where bytes >= 1 << shift {
            let value = Double(bytes) / Double(1 << shift)
            let text = value >= 100 ? String(Int(value.rounded())) : String(Double(Int((value * 10).rounded())) / 10)
            return "\(text.hasSuffix(".0") ? String(text.dropLast(2)) : text) \(suffix)iB"
        }
        return "\(bytes) B"
    }
}
