/// One `check` of a lesson: what it got and wanted and, for numbers, the largest difference and the
/// tolerance, all as text (`Teaching.number`). A terminal prints it as a line; a notebook shows the
/// checks of a step as one table.
public struct CheckRow: Equatable {
    public var name: String
    public var got: String, want: String
    /// |got − want| and the tolerance; nil for a yes/no check.
    public var difference: String?, tolerance: String?
    public var passed: Bool

    public init(name: String, got: String, want: String, difference: String? = nil, tolerance: String? = nil, passed: Bool) {
        (self.name, self.got, self.want, self.difference, self.tolerance, self.passed) = (name, got, want, difference, tolerance, passed)
    }

    /// `  PASS  name: 0.998 vs 1  (|diff| 0.002 ≤ tol 0.05)`; a yes/no check: `  PASS  name: true` or
    /// `  FAIL  name: false (want true)`. Ends in a newline.
    public var text: String {
        let verdict = "  " + (passed ? "PASS" : "FAIL") + "  " + name + ": "
        guard let difference, let tolerance else { return verdict + got + (passed ? "" : " (want \(want))") + "\n" }
        return verdict + "\(got) vs \(want)  (|diff| \(difference) \(passed ? "≤" : ">") tol \(tolerance))\n"
    }

    /// Checks as a table: the verdict, the name, got, want, |diff| and tol (empty for yes/no checks).
    public static func table(_ rows: [CheckRow]) -> TextTable {
        TextTable(header: ["", "check", "got", "want", "|diff|", "tol"], cells: rows.map {
            [$0.passed ? "PASS" : "FAIL", $0.name, $0.got, $0.want, $0.difference ?? "", $0.tolerance ?? ""]
        }, leftAligned: 2)
    }
}
