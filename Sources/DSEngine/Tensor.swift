/// An n-dimensional array of 32-bit floats, stored contiguously in row-major order.
///
/// CONTRACT: `init(shape:scalars:)`, `shape`, `scalars` and `count` are what other modules
/// (file formats, bindings) may rely on before the engine grows.
public final class Tensor {
    public let shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "shape does not match the number of scalars")
        self.shape = shape
        self.scalars = scalars
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }
}
