import DSEngine
import Foundation

/// The Fréchet distance between Gaussians fitted to two sets of feature vectors (Heusel et al. 2017, the
/// "FID" when the features come from Inception):
///
///     d² = ‖μ_a − μ_b‖² + tr Σ_a + tr Σ_b − 2·tr (Σ_a Σ_b)^{1/2}
///
/// with unbiased covariances (numpy's `cov`, as pytorch-fid). tr (Σ_a Σ_b)^{1/2} is the sum of the
/// square roots of the eigenvalues of S Σ_b S, S = Σ_a^{1/2}, which has the same eigenvalues as Σ_a Σ_b
/// and is symmetric, so two symmetric eigendecompositions (Jacobi, Float64) replace scipy's `sqrtm`;
/// eigenvalues that rounding makes slightly negative count as 0.
public enum FrechetDistance {
    /// The largest feature dimension accepted (the eigendecompositions cost O(d³) each).
    public static let maxDimension = 1024

    /// d² between the rows of `a` [n, d] and `b` [m, d] (n, m ≥ 2).
    public static func distance(_ a: Tensor, _ b: Tensor) throws -> Double {
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[1] else {
            throw DiffusionError("frechet_distance needs two [n, d] feature tensors with the same d, got \(a.shape) and \(b.shape)")
        }
        let d = a.shape[1]
        guard d >= 1, d <= maxDimension else {
            throw DiffusionError("frechet_distance: feature dimension \(d) is outside 1 … \(maxDimension)")
        }
        guard a.shape[0] >= 2, b.shape[0] >= 2 else {
            throw DiffusionError("frechet_distance needs at least 2 rows on each side, got \(a.shape[0]) and \(b.shape[0])")
        }
        let (muA, sigmaA) = try moments(a), (muB, sigmaB) = try moments(b)
        let root = symmetricFunction(sigmaA, d) { $0.squareRoot() }
        let product = multiply(multiply(root, sigmaB, d), root, d)
        let traceRoot = eigenvalues(product, d).reduce(0) { $0 + max($1, 0).squareRoot() }
        var total = 0.0
        for i in 0..<d {
            total += (muA[i] - muB[i]) * (muA[i] - muB[i]) + sigmaA[i * d + i] + sigmaB[i * d + i]
        }
        return total - 2 * traceRoot
    }

    /// The mean and the unbiased covariance (row-major d×d) of the rows, in Float64.
    static func moments(_ x: Tensor) throws -> ([Double], [Double]) {
        let n = x.shape[0], d = x.shape[1]
        let values = x.scalars.map(Double.init)
        guard values.allSatisfy(\.isFinite) else { throw DiffusionError("frechet_distance: the features hold NaN or infinity") }
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += values[r * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { centred[j] = values[r * d + j] - mean[j] }
            for i in 0..<d where centred[i] != 0 {
                let ci = centred[i]
                for j in i..<d { cov[i * d + j] += ci * centred[j] }
            }
        }
        for i in 0..<d {
            for j in i..<d {
                cov[i * d + j] /= Double(n - 1)
                cov[j * d + i] = cov[i * d + j]
            }
        }
        return (mean, cov)
    }

    /// V f(Λ) Vᵀ for a symmetric matrix with eigenvalues clamped at 0 (f is applied to max(λ, 0)).
    static func symmetricFunction(_ m: [Double], _ d: Int, _ f: (Double) -> Double) -> [Double] {
        let (values, vectors) = eigen(m, d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let w = f(max(values[k], 0))
            guard w != 0 else { continue }
            for i in 0..<d {
                let vik = vectors[i * d + k] * w
                for j in 0..<d { out[i * d + j] += vik * vectors[j * d + k] }
            }
        }
        return out
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d where a[i * d + k] != 0 {
                let aik = a[i * d + k]
                for j in 0..<d { out[i * d + j] += aik * b[k * d + j] }
            }
        }
        return out
    }

    static func eigenvalues(_ m: [Double], _ d: Int) -> [Double] { eigen(m, d).values }

    /// Eigenvalues and eigenvectors (columns of a row-major d×d matrix) of a symmetric matrix by cyclic
    /// Jacobi rotations, until the off-diagonal mass is below 1e-30 of the total (at most 100 sweeps).
    static func eigen(_ m: [Double], _ d: Int) -> (values: [Double], vectors: [Double]) {
        var a = m
        for i in 0..<d { for j in (i + 1)..<d { let s = (a[i * d + j] + a[j * d + i]) / 2; a[i * d + j] = s; a[j * d + i] = s } }
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        let total = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<d { for j in (i + 1)..<d { off += a[i * d + j] * a[i * d + j] } }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<d {
                for q in (p + 1)..<d where a[p * d + q] != 0 {
                    let apq = a[p * d + q], app = a[p * d + p], aqq = a[q * d + q]
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
