import DSEngine
import DSLimits
import Foundation

/// One row of the `stats` table: a tensor's summary (NaN and ±Inf are counted, not averaged).
public struct StatsRow: Equatable {
    public var name: String
    public var shape: [Int]
    public var dtype: String
    public var count: Int
    public var mean: Double, std: Double, min: Double, max: Double, norm: Double
    public var nonFinite: Int

    /// Summarises `values` (mean, unbiased std, min, max, L2 norm over the finite values).
    public init(name: String, shape: [Int], dtype: String, values: [Float]) {
        (self.name, self.shape, self.dtype, self.count) = (name, shape, dtype, values.count)
        var n = 0, sum = 0.0, sumSq = 0.0, lo = Double.infinity, hi = -Double.infinity, bad = 0
        for v in values {
            guard v.isFinite else { bad += 1; continue }
            let x = Double(v)
            n += 1; sum += x; sumSq += x * x
            lo = Swift.min(lo, x); hi = Swift.max(hi, x)
        }
        let mean = n > 0 ? sum / Double(n) : .nan
        var m2 = 0.0
        if n > 1 { for v in values where v.isFinite { let d = Double(v) - mean; m2 += d * d } }
        (self.mean, self.std) = (mean, n > 1 ? (m2 / Double(n - 1)).squareRoot() : .nan)
        (self.min, self.max, self.norm, self.nonFinite) = (n > 0 ? lo : .nan, n > 0 ? hi : .nan, sumSq.squareRoot(), bad)
    }
}

/// The `stats` and `diff` tables: pure functions of their rows (snapshot-tested), as text for the
/// terminal and as HTML for a notebook (`TextTable`).
public enum StatsTable {
    /// Rows beyond which they are grouped by their first name component with subtotals.
    public static let groupThreshold = 40

    public static func render(_ rows: [StatsRow]) -> String { table(rows).text() }

    /// The `stats` table: a row per tensor (grouped with subtotals beyond `groupThreshold` rows) and
    /// the total.
    public static func table(_ rows: [StatsRow]) -> TextTable {
        let header = ["name", "shape", "dtype", "mean", "std", "min", "max", "norm", "nan/inf"]
        func cells(_ r: StatsRow) -> TextTable.Row {
            .cells([r.name, "[" + r.shape.map(String.init).joined(separator: ", ") + "]", r.dtype,
                    number(r.mean), number(r.std), number(r.min), number(r.max), number(r.norm), String(r.nonFinite)])
        }
        var lines: [TextTable.Row] = []
        if rows.count > groupThreshold {
            var start = 0
            while start < rows.count {
                let group = prefix(rows[start].name)
                var end = start
                while end < rows.count, prefix(rows[end].name) == group { end += 1 }
                lines += rows[start..<end].map(cells)
                let params = rows[start..<end].reduce(0) { $0 + $1.count }
                lines.append(.note("  \(group): \(end - start) tensor\(end - start == 1 ? "" : "s"), \(count(params)) parameters"))
                start = end
            }
        } else {
            lines = rows.map(cells)
        }
        let total = rows.reduce(0) { $0 + $1.count }, bad = rows.reduce(0) { $0 + $1.nonFinite }
        let summary = "total: \(rows.count) tensor\(rows.count == 1 ? "" : "s"), \(count(total)) parameters"
            + (bad > 0 ? ", \(bad) NaN/Inf values" : "")
        return TextTable(header: header, rows: lines, leftAligned: 3, footer: [summary])
    }

    public static func renderDiff(_ rows: [DiffRow], onlyA: [String], onlyB: [String]) -> String {
        diffTable(rows, onlyA: onlyA, onlyB: onlyB).text()
    }

    /// The `diff` table: per shared tensor max |a − b| and that over max |a|, or both shapes when they
    /// differ (`shapeB` set; no numbers); then the names only on one side and a summary line.
    public static func diffTable(_ rows: [DiffRow], onlyA: [String], onlyB: [String]) -> TextTable {
        let header = ["name", "shape", "max |a-b|", "relative"]
        func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
        let cells = rows.map { r in
            r.shapeB.map { [r.name, shape(r.shape) + " vs " + shape($0), "-", "-"] }
                ?? [r.name, shape(r.shape), number(r.maxAbs), number(r.relative)]
        }
        var footer: [String] = []
        if !onlyA.isEmpty { footer.append("only in a: " + onlyA.joined(separator: ", ")) }
        if !onlyB.isEmpty { footer.append("only in b: " + onlyB.joined(separator: ", ")) }
        let compared = rows.filter { $0.shapeB == nil }, mismatched = rows.count - compared.count
        let worst = compared.map(\.maxAbs).max() ?? 0
        footer.append("\(compared.count) shared tensor\(compared.count == 1 ? "" : "s"), max |a-b| \(number(worst))"
                      + (mismatched > 0 ? ", \(mismatched) with different shapes" : ""))
        return TextTable(header: header, cells: cells, leftAligned: 2, footer: footer)
    }

    /// Four significant digits (`%.4g`); `-` for an undefined value.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "-" }
        if x == 0 { return "0" }
        return NumberText.significant(x, 4)
    }

    /// `12,345,678` style.
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    static func prefix(_ name: String) -> String {
        name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
    }

    /// The table of a `.safetensors` or `.npy` file, one tensor in memory at a time.
    public static func fileReport(path: String) throws -> String {
        if path.lowercased().hasSuffix(".npy") {
            let array = try Npy.read(path: path)
            return render([StatsRow(name: (path as NSString).lastPathComponent, shape: array.tensor.shape,
                                    dtype: array.descr, values: array.tensor.scalars)])
        }
        guard path.lowercased().hasSuffix(".safetensors") else {
            throw FormatError("\(path): unknown file type (.safetensors or .npy expected)")
        }
        let reader = try SafetensorsReader(path: path)
        var rows: [StatsRow] = []
        for info in reader.tensorInfos {
            let t = try reader.tensor(info.name)
            rows.append(StatsRow(name: info.name, shape: info.shape, dtype: info.dtype, values: t.scalars))
        }
        return render(rows)
    }
}
