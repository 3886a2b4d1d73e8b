import XCTest
@testable import DSEngine

/// Split matrix products against a double-precision reference: every transpose, beta 0 and 1, with
/// the piece size lowered so that small products are cut into grids of blocks and chunks of k.
final class GemmTests: XCTestCase {
    func reference(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float],
                   _ c: [Float], beta: Float) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = ta ? a[p * m + i] : a[i * k + p], bv = tb ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                out[i * n + j] = Float(s) + beta * c[i * n + j]
            }
        }
        return out
    }

    func testSplitProductsMatchTheReference() {
        let saved = Gemm.pieceWork, savedThreads = Engine.threads
        defer { Gemm.pieceWork = saved; Engine.threads = savedThreads }
        let g = RandomGenerator(seed: 3)
        // (m, n, k, piece): grids of blocks (rows first, columns first, both), a long k with a small C
        // (chunks of k added one after the other), shapes that are not multiples of 16.
        let cases = [(200, 40, 70, 1 << 14), (40, 230, 50, 1 << 13), (150, 170, 60, 1 << 14), (20, 24, 3000, 1 << 15),
                     (64, 48, 2000, 1 << 16), (7, 300, 33, 1 << 10), (97, 97, 97, 1 << 30)]
        for (m, n, k, piece) in cases {
            let a = g.normal(m * k), b = g.normal(k * n), c0 = g.normal(m * n)
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                for beta: Float in [0, 1] {
                    let want = reference(ta, tb, m, n, k, a, b, c0, beta: beta)
                    for threads in [1, 2, 3] {
                        Engine.threads = threads
                        Gemm.pieceWork = piece
                        var c = c0
                        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                            Gemm.parallel(ta, tb, m, n, k, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, beta: beta)
                        } } }
                        let worst = zip(c, want).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                        XCTAssertLessThan(worst, 2e-4, "\(m)×\(n)×\(k) piece \(piece) ta \(ta) tb \(tb) beta \(beta) threads \(threads)")
                    }
                }
            }
        }
    }

    func testGridCoversTheProductInBlocksOfSixteen() {
        let saved = Gemm.pieceWork
        defer { Gemm.pieceWork = saved }
        // Two threads on a tall product: two blocks of rows (packing all of B twice, A once).
        Gemm.pieceWork = 1 << 30
        let tall = Gemm.grid(1024, 128, work: 1024 * 128 * 64, threads: 2)
        XCTAssertEqual(tall.rows, 2)
        XCTAssertEqual(tall.cols, 1)
        Gemm.pieceWork = 1 << 20
        for (m, n, k, threads) in [(1024, 1024, 1024, 2), (4000, 4000, 4000, 2), (1024, 128, 64, 2), (128, 1024, 64, 2),
                                   (33, 2000, 500, 4), (16, 16, 100000, 2), (1, 1, 1, 2), (500, 70, 3, 8)] {
            let (rows, cols, rowBlock, colBlock) = Gemm.grid(m, n, work: m * n * k, threads: threads)
            XCTAssertTrue(rows * rowBlock >= m && (rows - 1) * rowBlock < m, "rows of \(m)×\(n)")
            XCTAssertTrue(cols * colBlock >= n && (cols - 1) * colBlock < n, "columns of \(m)×\(n)")
            XCTAssertEqual(rowBlock % 16, 0)
            XCTAssertEqual(colBlock % 16, 0)
            let possible = ((m + 15) / 16) * ((n + 15) / 16)
            XCTAssertGreaterThanOrEqual(rows * cols, min(threads, possible), "\(m)×\(n)")
            if rows * cols < possible {
                // Rounding the sides up to 16 may make a block up to about twice as large as asked.
                XCTAssertLessThanOrEqual(rowBlock * colBlock * k, 4 * max(Gemm.pieceWork, m * n * k / threads), "\(m)×\(n)×\(k)")
            }
        }
    }
}
