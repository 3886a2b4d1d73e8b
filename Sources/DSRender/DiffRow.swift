import DSEngine

/// One row of the `diff` table: a tensor present on both sides, compared value by value, or listed
/// with both shapes when they differ.
public struct DiffRow: Equatable {
    public var name: String
    /// The shape in a.
    public var shape: [Int]
    /// The shape in b when it differs from `shape` (then no numbers are computed); nil otherwise.
    public var shapeB: [Int]?
    /// max |a − b| and that over max |a| (0 when both are 0, ∞ when only a is all zeros).
    public var maxAbs: Double, relative: Double

    public init(name: String, shape: [Int], shapeB: [Int]? = nil, maxAbs: Double, relative: Double) {
        (self.name, self.shape, self.shapeB, self.maxAbs, self.relative) = (name, shape, shapeB, maxAbs, relative)
    }

    /// Compares `a` and `b` stored under `name`: a shape-mismatch row when their shapes differ.
    public static func compare(_ name: String, _ a: Tensor, _ b: Tensor) -> DiffRow {
        guard a.shape == b.shape else { return DiffRow(name: name, shape: a.shape, shapeB: b.shape, maxAbs: .nan, relative: .nan) }
        var worst = 0.0, scale = 0.0
        for (p, q) in zip(a.scalars, b.scalars) {
            worst = Swift.max(worst, abs(Double(p) - Double(q)))
            scale = Swift.max(scale, abs(Double(p)))
        }
        return DiffRow(name: name, shape: a.shape, maxAbs: worst, relative: scale > 0 ? worst / scale : (worst == 0 ? 0 : .infinity))
    }
}
