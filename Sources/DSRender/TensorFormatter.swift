import DSLimits

/// Prints tensors the way PyTorch does (`torch/_tensor_str.py`), so that output can be compared
/// with a PyTorch session line by line:
///
/// ```
/// tensor([[1., 2.],
///         [3., 4.]], shape=[2, 2])
/// ```
///
/// - One number format for the whole tensor: integral values as `1.`; otherwise 4 decimals
///   (`0.5000`); scientific (`1.0000e-05`) when the largest/smallest nonzero magnitude ratio
///   exceeds 1000, the largest exceeds 1e8 or the smallest is below 1e-4. Columns right-aligned.
/// - More than 1000 elements: every dimension longer than 6 shows its first and last 3 entries
///   around `...`. Rows wrap at 80 columns.
/// - Suffix: `shape=[...]` when the tensor has 2 or more dimensions, is summarised, or is empty;
///   `requires_grad=true` for tensors that record gradients. The dtype (always float32) is not shown.
public struct TensorFormatter {
    public static let threshold = 1000
    public static let edgeItems = 3
    public static let lineWidth = 80
    public static let precision = 4

    let shape: [Int]
    let scalars: [Float]
    let summarize: Bool
    private var intMode = true
    private var sciMode = false
    private var width = 1

    public init(shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
        self.summarize = scalars.count > TensorFormatter.threshold
        chooseFormat()
    }

    /// `tensor(...)` with the suffix described above.
    public static func describe(shape: [Int], scalars: [Float], requiresGrad: Bool = false) -> String {
        let formatter = TensorFormatter(shape: shape, scalars: scalars)
        var text = "tensor(" + formatter.body(indent: 7)
        if shape.count >= 2 || formatter.summarize || scalars.isEmpty && !shape.isEmpty {
            text += ", shape=" + formatShape(shape)
        }
        if requiresGrad { text += ", requires_grad=true" }
        return text + ")"
    }

    /// `[2, 3]`.
    public static func formatShape(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// The bracketed values, continuation lines indented by `indent + 1`.
    public func body(indent: Int) -> String {
        if shape.isEmpty { return scalars.isEmpty ? "[]" : format(scalars[0]) }
        if scalars.isEmpty { return "[]" }
        return render(dimension: 0, offset: 0, indent: indent)
    }

    // MARK: Number format

    /// Indices of the elements that are shown (all, or the edges of every summarised dimension).
    private func shownOffsets() -> [Int] {
        if !summarize || shape.isEmpty { return Array(scalars.indices) }
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var offsets: [Int] = []
        func visit(_ d: Int, _ base: Int) {
            if d == shape.count { offsets.append(base); return }
            for i in shownIndices(shape[d]) { visit(d + 1, base + i * strides[d]) }
        }
        visit(0, 0)
        return offsets
    }

    func shownIndices(_ n: Int) -> [Int] {
        let e = TensorFormatter.edgeItems
        if summarize && n > 2 * e { return Array(0..<e) + Array((n - e)..<n) }
        return Array(0..<n)
    }

    private mutating func chooseFormat() {
        var nonzero: [Double] = []
        for i in shownOffsets() {
            let v = Double(scalars[i])
            if v.isFinite && v != 0 { nonzero.append(v) }
        }
        guard !nonzero.isEmpty else { return }
        let magnitudes = nonzero.map { Swift.abs($0) }
        let maxValue = magnitudes.max() ?? 1
        let minValue = magnitudes.min() ?? 1
        intMode = nonzero.allSatisfy { $0.rounded(.up) == $0 }
        if intMode {
            if maxValue / minValue > 1000 || maxValue > 1e8 { sciMode = true }
        } else if maxValue / minValue > 1000 || maxValue > 1e8 || minValue < 1e-4 {
            sciMode = true
        }
        width = nonzero.map { raw($0).count }.max() ?? 1
    }

    private func raw(_ v: Double) -> String {
        if sciMode { return NumberText.printf("%.\(TensorFormatter.precision)e", v) }
        if intMode {
            let text = NumberText.printf("%.0f", v)
            return v.isFinite ? text + "." : text
        }
        return NumberText.printf("%.\(TensorFormatter.precision)f", v)
    }

    /// One element, right-aligned to the common width.
    func format(_ value: Float) -> String {
        let v = Double(value)
        var text: String
        if v.isNaN { text = "nan" } else if v.isInfinite { text = v < 0 ? "-inf" : "inf" } else { text = raw(v) }
        if text.count < width { text = String(repeating: " ", count: width - text.count) + text }
        return text
    }

    // MARK: Layout

    private func render(dimension d: Int, offset: Int, indent: Int) -> String {
        let stride = shape[(d + 1)...].reduce(1, *)
        let n = shape[d]
        let e = TensorFormatter.edgeItems
        let elided = summarize && n > 2 * e
        if d == shape.count - 1 {
            var items: [String] = []
            for i in 0..<n {
                if elided && i == e { items.append(" ...") }
                if elided && i >= e && i < n - e { continue }
                items.append(format(scalars[offset + i]))
            }
            let perLine = Swift.max(1, (TensorFormatter.lineWidth - indent) / (width + 2))
            var lines: [String] = []
            var start = 0
            while start < items.count {
                let end = Swift.min(start + perLine, items.count)
                lines.append(items[start..<end].joined(separator: ", "))
                start = end
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        var slices: [String] = []
        for i in 0..<n {
            if elided && i == e { slices.append("...") }
            if elided && i >= e && i < n - e { continue }
            slices.append(render(dimension: d + 1, offset: offset + i * stride, indent: indent + 1))
        }
        let separator = "," + String(repeating: "\n", count: shape.count - d - 1) + String(repeating: " ", count: indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }
}
