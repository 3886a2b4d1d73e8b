/// The Tensor contract the format readers use (`init(shape:scalars:)`, `shape`, `scalars`), so the
/// bench compiles the real Sources/DSEngine/Formats files alone, without BLAS.
public final class Tensor {
    public let shape: [Int]
    public var scalars: [Float]
    public init(shape: [Int], scalars: [Float]) { self.shape = shape; self.scalars = scalars }
    public var count: Int { scalars.count }
}
