/// Nearest-neighbour search, the lookup of vector quantization.
extension Tensor {
    /// For each row of this [M, D] tensor, the index of the row of `table` [K, D] at the smallest
    /// Euclidean distance (summed in Float64; the first of equal distances, as `torch.argmin`).
    /// Rows are searched in parallel; no gradient.
    public func nearestRows(in table: Tensor) throws -> [Int] {
        guard rank == 2, table.rank == 2, shape[1] == table.shape[1], table.shape[0] >= 1 else {
            throw TensorError("nearest rows: expected [M, D] and [K, D] with K ≥ 1, got \(shape) and \(table.shape)")
        }
        let (m, d, k) = (shape[0], shape[1], table.shape[0])
        var result = [Int](repeating: 0, count: m)
        let values = scalars, book = table.scalars
        values.withUnsafeBufferPointer { pv in book.withUnsafeBufferPointer { pb in result.withUnsafeMutableBufferPointer { out in
            guard let v0 = pv.baseAddress, let b0 = pb.baseAddress, let o0 = out.baseAddress else { return }
            Engine.parallelFor(m, grain: Swift.max(1, 65536 / Swift.max(k * d, 1))) { start, end in
                for r in start..<end {
                    var best = Double.infinity, bestIndex = 0
                    let row = v0 + r * d
                    for j in 0..<k {
                        let code = b0 + j * d
                        var sum = 0.0
                        for i in 0..<d { let diff = Double(row[i]) - Double(code[i]); sum += diff * diff }
                        if sum < best { best = sum; bestIndex = j }
                    }
                    o0[r] = bestIndex
                }
            }
        } } }
        return result
    }
}
