import DSLimits

/// An n-dimensional array of 32-bit floats, stored contiguously in row-major order, with autograd.
///
/// CONTRACT: `init(shape:scalars:)`, `shape`, `scalars` (get/set) and `count` are what other modules
/// (file formats, bindings) may rely on. Every other public operation validates its input and throws
/// `TensorError`; none traps on bad input.
public final class Tensor {
    /// The size of each axis; `[]` for a scalar tensor.
    public let shape: [Int]
    /// The elements in row-major order. Setting it keeps the shape, so the count must stay equal.
    public var scalars: [Float]
    /// Whether operations on this tensor are recorded for `backward()`.
    public var requiresGrad: Bool = false
    /// The accumulated gradient of a leaf that requires it (summed across `backward` calls).
    public var grad: Tensor?
    /// The recorded operation that produced this tensor (nil for leaves).
    var gradNode: GradNode?

    /// Wraps `scalars` as a tensor of `shape`; the caller guarantees the count matches
    /// (use `Tensor(validating:scalars:)` for unchecked input).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "shape does not match the number of scalars")
        self.shape = shape
        self.scalars = scalars
    }

    /// Internal initialiser without the precondition (callers have computed the count).
    init(unchecked shape: [Int], _ scalars: [Float]) {
        _ = Engine.allocatorConfigured
        _ = Gemm.configured
        self.shape = shape
        self.scalars = scalars
    }

    /// Wraps `scalars` as a tensor of `shape`, throwing when the shape is invalid or the count differs.
    public convenience init(validating shape: [Int], scalars: [Float]) throws {
        let n = try Tensor.checkedCount(shape)
        guard n == scalars.count else {
            throw TensorError("shape \(shape) needs \(n) values, got \(scalars.count)")
        }
        self.init(unchecked: shape, scalars)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(_ value: Float) { self.init(unchecked: [], [value]) }

    /// The number of elements.
    public var count: Int { scalars.count }
    /// The number of axes.
    public var rank: Int { shape.count }
    /// Same as `rank` (PyTorch / NumPy name).
    public var ndim: Int { shape.count }
    /// True when no recorded operation produced this tensor.
    public var isLeaf: Bool { gradNode == nil }

    /// The only element of a one-element tensor.
    public func item() throws -> Float {
        guard scalars.count == 1 else {
            throw TensorError("item() needs a tensor with one element, got shape \(shape)")
        }
        return scalars[0]
    }

    /// Row-major strides (in elements) of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= shape[i]
        }
        return strides
    }

    /// The element count of `shape`, refusing negative sizes, too many axes and sizes past
    /// `Engine.maxElements` (`sizeProblem`).
    public static func checkedCount(_ shape: [Int]) throws -> Int {
        guard shape.count <= Engine.maxRank else {
            throw TensorError("a tensor has at most \(Engine.maxRank) axes, got \(shape.count)")
        }
        if let d = shape.first(where: { $0 < 0 }) { throw TensorError("invalid shape \(shape): negative size \(d)") }
        if let problem = sizeProblem(shape) { throw TensorError("shape \(shape) is too large: \(problem)") }
        return shape.reduce(1, *)
    }

    /// Why a shape of non-negative sizes is too large for a tensor, or nil. Zero-size axes count as
    /// one: a `[2^62, 0]` tensor holds nothing, but `sum(axis: 1)` would make 2^62 elements of it.
    public static func sizeProblem(_ shape: [Int]) -> String? {
        let limit = Engine.maxElements
        var spread = 1, overflow = false
        for d in shape where !overflow { (spread, overflow) = spread.multipliedReportingOverflow(by: Swift.max(d, 1)) }
        guard overflow || spread > limit else { return nil }
        let size = overflow ? "over 2^63" : String(spread)
        return shape.contains(0) ? "its nonzero sizes multiply to \(size), more than the limit of \(limit) elements"
            : "\(size) elements, more than the limit of \(limit)"
    }

    /// `checkedCount(shape)` for a tensor about to be allocated: also asks the memory budget.
    static func checkedAllocation(_ shape: [Int]) throws -> Int {
        let n = try checkedCount(shape)
        try reserve(n, shape)
        return n
    }

    /// Asks the memory budget for a tensor the size of `x`, before an operation that does not throw
    /// (`exp`, `relu`, `clamp`, ...) makes one.
    public static func reserve(like x: Tensor) throws { try reserve(x.count, x.shape) }

    /// Asks the memory budget for `count` elements (of a tensor of `shape`, named in the message).
    public static func reserve(_ count: Int, _ shape: [Int]) throws {
        try reserve(count, for: "a tensor of shape \(shape)")
    }

    /// Asks the memory budget for `count` elements of `what` ("the 3 tensors of the file").
    public static func reserve(_ count: Int, for what: @autoclosure () -> String) throws {
        do {
            try MemoryBudget.reserve(count: count, stride: MemoryLayout<Float>.stride, for: what())
        } catch {
            throw TensorError(error.message)
        }
    }

    /// Normalises a possibly negative axis for a tensor of `rank` axes.
    static func normalizeAxis(_ axis: Int, rank: Int, allowEnd: Bool = false) throws -> Int {
        let r = Swift.max(allowEnd ? rank + 1 : rank, 1)
        let a = axis < 0 ? axis + r : axis
        guard a >= 0, a < r else {
            throw TensorError("axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return a
    }
}

/// The error every tensor operation throws on bad input.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
