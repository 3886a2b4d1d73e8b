import COpenBLAS

/// Matrix products (through `Gemm`, OpenBLAS underneath).
extension Tensor {
    /// C[b] = op(A[b]) · op(B[b]) for `batch` row-major matrices (C is M×N, inner size K).
    static func gemm(batch: Int, m: Int, n: Int, k: Int, _ a: [Float], transA: Bool, strideA: Int,
                     _ b: [Float], transB: Bool, strideB: Int, into c: inout [Float], beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    guard let c0 = pc.baseAddress else { return }
                    if k == 0 {
                        if beta == 0 { for i in 0..<(batch * m * n) { c0[i] = 0 } }
                        return
                    }
                    guard let a0 = pa.baseAddress, let b0 = pb.baseAddress else { return }
                    Gemm.batched(batch, transA, transB, m, n, k, a0, strideA: strideA, b0, strideB: strideB, c0, beta: beta)
                }
            }
        }
    }

    /// Matrix product with torch semantics: 1-D operands are promoted (and the axis removed after),
    /// batch axes broadcast. Primitive on ≥2-D operands: dA = dC·Bᵀ, dB = Aᵀ·dC, reduced over
    /// broadcast batch axes.
    public func matmul(_ other: Tensor) throws -> Tensor {
        guard rank >= 1, other.rank >= 1 else {
            throw TensorError("matmul: both operands need at least one axis, got shapes \(shape) and \(other.shape)")
        }
        if rank == 1 && other.rank == 1 {
            guard shape == other.shape else {
                throw TensorError("matmul: shapes \(shape) and \(other.shape) do not match (\(shape[0]) vs \(other.shape[0]))")
            }
            return try mul(other).sum()
        }
        if rank == 1 { return try unsqueeze(0).matmul(other).squeeze(-2) }
        if other.rank == 1 { return try matmul(other.unsqueeze(1)).squeeze(-1) }
        let m = shape[rank - 2], k = shape[rank - 1], k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        guard k == k2 else {
            throw TensorError("matmul: shapes \(shape) and \(other.shape) do not match (\(k) vs \(k2))")
        }
        let batchShape: [Int]
        do { batchShape = try broadcastShapes(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) } catch {
            throw TensorError("matmul: batch shapes of \(shape) and \(other.shape) cannot be broadcast")
        }
        let a = try detach().expand(to: batchShape + [m, k]), b = try other.detach().expand(to: batchShape + [k, n])
        let batch = batchShape.reduce(1, *)
        let outShape = batchShape + [m, n]
        var out = [Float](repeating: 0, count: try Tensor.checkedAllocation(outShape))
        Tensor.gemm(batch: batch, m: m, n: n, k: k, a.scalars, transA: false, strideA: m * k,
                    b.scalars, transB: false, strideB: k * n, into: &out)
        let sa = shape, sb = other.shape, av = a.scalars, bv = b.scalars
        let needA = requiresGrad, needB = other.requiresGrad
        return Tensor(unchecked: outShape, out).recorded("matmul", [self, other]) { g in
            var ga: Tensor?, gb: Tensor?
            if needA {
                var d = [Float](repeating: 0, count: batch * m * k)
                Tensor.gemm(batch: batch, m: m, n: k, k: n, g.scalars, transA: false, strideA: m * n,
                            bv, transB: true, strideB: k * n, into: &d)
                ga = try Tensor(unchecked: batchShape + [m, k], d).sumToShape(sa)
            }
            if needB {
                var d = [Float](repeating: 0, count: batch * k * n)
                Tensor.gemm(batch: batch, m: k, n: n, k: m, av, transA: true, strideA: m * k,
                            g.scalars, transB: false, strideB: m * n, into: &d)
                gb = try Tensor(unchecked: batchShape + [k, n], d).sumToShape(sb)
            }
            return [ga, gb]
        }
    }

    /// `x · Wᵀ + b` with `weight` [out, in] and optional `bias` [out]; x is [..., in].
    /// A fused primitive (one sgemm each way) because it is the hot path of every MLP.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        guard weight.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == weight.shape[1] else {
            throw TensorError("linear: input shape \(x.shape) does not match weight shape \(weight.shape)")
        }
        let outF = weight.shape[0], inF = weight.shape[1]
        if let bias, bias.shape != [outF] {
            throw TensorError("linear: bias shape \(bias.shape) does not match \(outF) output features")
        }
        let rows = x.shape.dropLast().reduce(1, *)
        let outShape = Array(x.shape.dropLast()) + [outF]
        var out = [Float](repeating: 0, count: try Tensor.checkedAllocation(outShape))
        if let bias {
            out.withUnsafeMutableBufferPointer { po in
                bias.scalars.withUnsafeBufferPointer { pb in
                    for r in 0..<rows { for j in 0..<outF { po[r * outF + j] = pb[j] } }
                }
            }
        }
        gemm(batch: 1, m: rows, n: outF, k: inF, x.scalars, transA: false, strideA: 0,
             weight.scalars, transB: true, strideB: 0, into: &out, beta: bias == nil ? 0 : 1)
        let xv = x.scalars, wv = weight.scalars, xShape = x.shape
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor(unchecked: outShape, out).recorded("linear", inputs) { g in
            var gx: Tensor?, gw: Tensor?, gb: Tensor?
            if needX {
                var d = [Float](repeating: 0, count: rows * inF)
                gemm(batch: 1, m: rows, n: inF, k: outF, g.scalars, transA: false, strideA: 0,
                     wv, transB: false, strideB: 0, into: &d)
                gx = Tensor(unchecked: xShape, d)
            }
            if needW {
                var d = [Float](repeating: 0, count: outF * inF)
                gemm(batch: 1, m: outF, n: inF, k: rows, g.scalars, transA: true, strideA: 0,
                     xv, transB: false, strideB: 0, into: &d)
                gw = Tensor(unchecked: [outF, inF], d)
            }
            if needB { gb = Tensor(unchecked: [outF], Tensor(unchecked: [rows, outF], g.scalars).sumAxisRaw(0).scalars) }
            return bias == nil ? [gx, gw] : [gx, gw, gb]
        }
    }
}
