import DSEngine
import Foundation

/// The random numbers a data set draws: `uniform(n)` gives n values in [0, 1), `normal(n)` n standard
/// normals. The bindings pass the interpreter's seeded `RandomGenerator`, so data sets are reproducible.
public struct DataRandom {
    public var uniform: (Int) -> [Float]
    public var normal: (Int) -> [Float]

    public init(uniform: @escaping (Int) -> [Float], normal: @escaping (Int) -> [Float]) {
        self.uniform = uniform
        self.normal = normal
    }

    /// `n` uniforms, checked to be `n` values in [0, 1) (a faulty source must not crash the data set).
    func uniforms(_ n: Int) throws -> [Float] {
        let values = uniform(n)
        guard values.count == n, values.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw DiffusionError("the random source must give \(n) uniform values in [0, 1)")
        }
        return values
    }

    /// `n` normals, checked to be `n` finite values.
    func normals(_ n: Int) throws -> [Float] {
        let values = normal(n)
        guard values.count == n, values.allSatisfy({ $0.isFinite }) else {
            throw DiffusionError("the random source must give \(n) finite normal values")
        }
        return values
    }
}

/// The toy 2-D data sets (docs/builtins.md § Files, pictures and data), each an [n, 2] tensor centred and
/// scaled to roughly unit variance per coordinate (the scale constants are the exact or measured standard
/// deviations of each shape).
public enum Datasets2D {
    /// The largest number of points a data set will make.
    public static let maxPoints = 50_000_000

    /// The names the bindings expose, in order.
    public static let names = ["swiss_roll", "moons", "gaussians8", "checkerboard", "rings"]

    /// The data sets that can return a label per point, and how.
    public static let labelled: [String: (Int, DataRandom) throws -> (points: Tensor, labels: Tensor)] = [
        "moons": labelledMoons, "gaussians8": labelledGaussians8,
    ]

    /// Makes the data set called `name` (one of `names`).
    public static func make(_ name: String, n: Int, random: DataRandom) throws -> Tensor {
        switch name {
        case "swiss_roll": return try swissRoll(n, random: random)
        case "moons": return try moons(n, random: random)
        case "gaussians8": return try gaussians8(n, random: random)
        case "checkerboard": return try checkerboard(n, random: random)
        case "rings": return try rings(n, random: random)
        default: throw DiffusionError("unknown data set '\(name)' (expected \(names.joined(separator: ", ")))")
        }
    }

    /// A 2-D swiss roll: t ~ U[1.5π, 4.5π], (t cos t, t sin t) + N(0, 0.25²), centred at (2, 2/(3π)), scaled by 1/6.79.
    public static func swissRoll(_ n: Int, random: DataRandom) throws -> Tensor {
        try points(n) {
            let u = try random.uniforms(n), z = try random.normals(2 * n)
            return (0..<n).map { i in
                let t = 1.5 * Double.pi * (1 + 2 * Double(u[i]))
                return ((t * cos(t) + 0.25 * Double(z[2 * i]) - 2) / 6.79,
                        (t * sin(t) + 0.25 * Double(z[2 * i + 1]) - 2 / (3 * Double.pi)) / 6.79)
            }
        }
    }

    /// Two interleaving half circles (scikit-learn's `make_moons`, noise 0.1), points alternating between them;
    /// each axis scaled by its own standard deviation (0.8715 and 0.5043).
    public static func moons(_ n: Int, random: DataRandom) throws -> Tensor { try labelledMoons(n, random: random).points }

    /// `moons` with each point's half circle (0 upper, 1 lower) as its label.
    public static func labelledMoons(_ n: Int, random: DataRandom) throws -> (points: Tensor, labels: Tensor) {
        try labelledPoints(n) {
            let u = try random.uniforms(n), z = try random.normals(2 * n)
            return (0..<n).map { i in
                let theta = Double.pi * Double(u[i])
                let (x, y) = i % 2 == 0 ? (cos(theta), sin(theta)) : (1 - cos(theta), 0.5 - sin(theta))
                return ((x + 0.1 * Double(z[2 * i]) - 0.5) / 0.8715, (y + 0.1 * Double(z[2 * i + 1]) - 0.25) / 0.5043, i % 2)
            }
        }
    }

    /// Eight Gaussians (σ = 0.1) at the angles kπ/4 of a circle of radius √(2(1 − σ²)): unit variance exactly.
    public static func gaussians8(_ n: Int, random: DataRandom) throws -> Tensor {
        try labelledGaussians8(n, random: random).points
    }

    /// `gaussians8` with each point's component k (at angle kπ/4) as its label.
    public static func labelledGaussians8(_ n: Int, random: DataRandom) throws -> (points: Tensor, labels: Tensor) {
        try labelledPoints(n) {
            let u = try random.uniforms(n), z = try random.normals(2 * n)
            let sigma = 0.1, radius = (2 * (1 - sigma * sigma)).squareRoot()
            return (0..<n).map { i in
                let k = min(Int(Double(u[i]) * 8), 7)
                let angle = Double(k) * Double.pi / 4
                return (radius * cos(angle) + sigma * Double(z[2 * i]), radius * sin(angle) + sigma * Double(z[2 * i + 1]), k)
            }
        }
    }

    /// A 4×4 checkerboard on [−2, 2]² (FFJORD's toy data), scaled by √3/2 to unit variance.
    public static func checkerboard(_ n: Int, random: DataRandom) throws -> Tensor {
        try points(n) {
            let u = try random.uniforms(3 * n)
            let scale = 3.0.squareRoot() / 2
            return (0..<n).map { i in
                let x = 4 * Double(u[3 * i]) - 2
                let row = Double(u[3 * i + 1]) - (u[3 * i + 2] < 0.5 ? 0 : 2)  // in [−2, −1) ∪ [0, 1)
                let shift = (x.rounded(.down)).truncatingRemainder(dividingBy: 2)
                return (x * scale, (row + (shift < 0 ? shift + 2 : shift)) * scale)
            }
        }
    }

    /// Four concentric rings of radii 0.5, 1, 1.5, 2 (noise 0.05), scaled to unit variance.
    public static func rings(_ n: Int, random: DataRandom) throws -> Tensor {
        try points(n) {
            let u = try random.uniforms(2 * n), z = try random.normals(2 * n)
            let sigma = 0.05, scale = (1.875 / 2 + sigma * sigma).squareRoot()
            return (0..<n).map { i in
                let radius = 0.5 * Double(min(Int(Double(u[2 * i]) * 4), 3) + 1)
                let angle = 2 * Double.pi * Double(u[2 * i + 1])
                return ((radius * cos(angle) + sigma * Double(z[2 * i])) / scale,
                        (radius * sin(angle) + sigma * Double(z[2 * i + 1])) / scale)
            }
        }
    }

    /// Checks n and packs the points into an [n, 2] tensor.
    static func points(_ n: Int, _ make: () throws -> [(Double, Double)]) throws -> Tensor {
        try labelledPoints(n) { try make().map { ($0.0, $0.1, 0) } }.points
    }

    /// Checks n and packs the points into an [n, 2] tensor and their labels into an [n] tensor.
    static func labelledPoints(_ n: Int, _ make: () throws -> [(Double, Double, Int)]) throws -> (points: Tensor, labels: Tensor) {
        guard n >= 1, n <= maxPoints else {
            throw DiffusionError("the number of points must be between 1 and \(maxPoints), got \(n)")
        }
        let pts = try make()
        var scalars = [Float]()
        scalars.reserveCapacity(2 * n)
        for (x, y, _) in pts { scalars.append(Float(x)); scalars.append(Float(y)) }
        return (Tensor(shape: [pts.count, 2], scalars: scalars), Tensor(shape: [pts.count], scalars: pts.map { Float($0.2) }))
    }
}
