import Foundation

/// Creation functions. Random ones draw from a `RandomGenerator` the caller owns.
extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
        Tensor(unchecked: shape, [Float](repeating: value, count: try checkedAllocation(shape)))
    }
    /// `count` floats whose contents are unspecified, for kernels that write every element before
    /// any is read (skips the zero fill, which cost several percent of a UNet pass).
    static func uninitializedScalars(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
    public static func zeros(_ shape: [Int]) throws -> Tensor { try full(shape, 0) }
    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1) }
    public static func zerosLike(_ x: Tensor) -> Tensor { Tensor(unchecked: x.shape, [Float](repeating: 0, count: x.count)) }
    public static func onesLike(_ x: Tensor) -> Tensor { Tensor(unchecked: x.shape, [Float](repeating: 1, count: x.count)) }

    /// `[start, start + step, ...]` below `end` (above it for a negative step), as `torch.arange`.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw TensorError("arange: step must be a nonzero finite number and bounds finite")
        }
        let steps = Foundation.ceil((end - start) / step)
        guard steps <= Double(Engine.maxElements) else {
            throw TensorError("arange(\(start), \(end), step: \(step)) has too many elements")
        }
        let n = Swift.max(0, Int(steps))
        try reserve(n, [n])
        return Tensor(unchecked: [n], (0..<n).map { Float(start + Double($0) * step) })
    }
    /// `[0, 1, ..., n-1]`.
    public static func arange(_ n: Int) throws -> Tensor { try arange(0, Double(n)) }

    /// `n` evenly spaced values from `start` to `end` inclusive (torch's symmetric formula).
    public static func linspace(_ start: Double, _ end: Double, _ n: Int) throws -> Tensor {
        guard n >= 0 else { throw TensorError("linspace: number of points must be non-negative, got \(n)") }
        _ = try checkedAllocation([n])
        if n == 1 { return Tensor(unchecked: [1], [Float(start)]) }
        let step = (end - start) / Double(Swift.max(n - 1, 1))
        let half = n / 2
        return Tensor(unchecked: [n], (0..<n).map { i in
            i < half ? Float(start + step * Double(i)) : Float(end - step * Double(n - 1 - i))
        })
    }

    /// Builds a tensor from a flat list of values and a shape (the bindings flatten nested lists).
    public static func from(_ values: [Double], shape: [Int]) throws -> Tensor {
        try Tensor(validating: shape, scalars: values.map { Float($0) })
    }

    /// Standard normal samples.
    public static func randn(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        Tensor(unchecked: shape, generator.normal(try checkedAllocation(shape)))
    }
    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        Tensor(unchecked: shape, generator.uniform(try checkedAllocation(shape)))
    }
    /// Uniform samples in [lo, hi).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: RandomGenerator) throws -> Tensor {
        Tensor(unchecked: shape, generator.uniform(try checkedAllocation(shape)).map { low + (high - low) * $0 })
    }
    /// Integers uniformly drawn from [lo, hi), stored as floats.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: RandomGenerator) throws -> Tensor {
        guard high > low else { throw TensorError("randint: high (\(high)) must be greater than low (\(low))") }
        let span = Double(high) - Double(low)
        return Tensor(unchecked: shape, generator.uniform(try checkedAllocation(shape)).map {
            Float(Swift.min(Double(low) + Foundation.floor(Double($0) * span), Double(high) - 1))
        })
    }
    /// Standard normal samples shaped like `x`.
    public static func randnLike(_ x: Tensor, generator: RandomGenerator) -> Tensor {
        Tensor(unchecked: x.shape, generator.normal(x.count))
    }
}
