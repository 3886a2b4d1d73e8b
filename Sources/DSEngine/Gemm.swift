import CKernels
import COpenBLAS

/// Row-major single-precision matrix products on raw pointers, threaded by the engine itself.
///
/// OpenBLAS always runs single-threaded inside the process: its own worker threads spin in
/// `sched_yield` after each call, and on a laptop's few cores they stole up to 15% of the time from
/// the engine's workers running beside them. Instead a large product is cut into row or column
/// panels (or whole matrices of a batch), one per engine thread, each a single-threaded sgemm.
enum Gemm {
    /// Pins OpenBLAS to one thread and stops the worker threads it started when it was loaded (done
    /// once, by `Engine.prepare()` at interpreter set-up or else at the first tensor). Left alone, those threads spin in `sched_yield` for their first
    /// ~0.1 s, stealing a core from short scripts and from the first steps of every benchmark.
    static let configured: Bool = {
        openblas_set_num_threads(1)
        _ = blas_thread_shutdown_()
        return true
    }()

    /// Below this many multiply-adds a product runs on the calling thread.
    static let parallelThreshold = 1 << 18

    /// C = op(A)·op(B) + beta·C on the calling thread (C is m×n with leading dimension `ldc`, inner size k).
    @inline(__always)
    static func serial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                       _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                       _ c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// C = op(A)·op(B) + beta·C with packed leading dimensions, on the calling thread.
    @inline(__always)
    static func serial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                       _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, beta: Float) {
        serial(transA, transB, m, n, k, a, lda: transA ? m : k, b, ldb: transB ? k : n, c, ldc: n, beta: beta)
    }

    /// The most multiply-adds in one piece of a split product: about 10 ms on one core with the
    /// kernels OpenBLAS runs (2^30 with AVX-512 ones, 2^29 with AVX2 ones, 2^28 with older ones; on
    /// a Zen 5 core 9.7, 9.1 and 11.7 ms with SkylakeX, Haswell and Prescott kernels). Ctrl-C stops
    /// a product within one piece, and a worker the OS has descheduled holds the others up no longer.
    /// Smaller pieces cost more packing: one sgemm of 368² blocks runs ~10% slower than of 1024².
    /// Tests lower it to split small products.
    nonisolated(unsafe) static var pieceWork: Int = {
        let level = ck_blas_core_level(openblas_get_corename())
        return level == CK_LEVEL_AVX512 ? 1 << 30 : (level == CK_LEVEL_AVX2 ? 1 << 29 : 1 << 28)
    }()

    /// C = op(A)·op(B) + beta·C, split into pieces when it is large: a grid of blocks of C (`grid`),
    /// at least one per thread and none over `pieceWork`, claimed by the threads as they come free;
    /// a long inner size with a small C is cut into chunks too, added into C one after the other.
    /// When an interrupt is requested the pieces not yet started are skipped (C is then incomplete).
    static func parallel(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                         _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, beta: Float) {
        let lda = transA ? m : k, ldb = transB ? k : n
        let threads = Engine.threads, work = m * n * k
        let splitForThreads = threads > 1 && work >= 2 * parallelThreshold && (m >= 32 || n >= 32)
        if !splitForThreads && work <= pieceWork {
            serial(transA, transB, m, n, k, a, lda: lda, b, ldb: ldb, c, ldc: n, beta: beta)
            return
        }
        // Chunks of the inner size when C alone cannot be cut into enough pieces of `pieceWork`.
        let chunkK = m * n >= 256 * 256 ? k : Swift.max(256, pieceWork * Swift.max(threads, 2) / Swift.max(m * n, 1))
        var k0 = 0
        while k0 < k && !Engine.interruptRequested {
            let kc = Swift.min(chunkK, k - k0)
            let ak = a + (transA ? k0 * lda : k0), bk = b + (transB ? k0 : k0 * ldb)
            let (rows, cols, rowBlock, colBlock) = grid(m, n, work: m * n * kc, threads: splitForThreads ? threads : 1)
            let pieceBeta = k0 == 0 ? beta : 1
            Engine.parallel(rows * cols) { p in
                if Engine.interruptRequested { return }
                let r0 = (p / cols) * rowBlock, c0 = (p % cols) * colBlock
                let rl = Swift.min(rowBlock, m - r0), cl = Swift.min(colBlock, n - c0)
                guard rl > 0, cl > 0 else { return }
                // Rows r0..<r0+rl of C come from rows of op(A), columns c0..<c0+cl from columns of op(B).
                serial(transA, transB, rl, cl, kc, ak + (transA ? r0 : r0 * lda), lda: lda,
                       bk + (transB ? c0 * ldb : c0), ldb: ldb, c + r0 * n + c0, ldc: n, beta: pieceBeta)
            }
            k0 += kc
        }
    }

    /// Blocks for an m×n product of `work` multiply-adds: at least `threads` of them and enough that
    /// none exceeds `pieceWork`. Every block of rows packs all of op(B)'s columns it meets and every
    /// block of columns all of op(A)'s rows, so r row blocks and c column blocks pack c·m + r·n
    /// rows of k: r ≈ √(p·m/n) minimises that for p pieces. Sides are multiples of 16 (there may be
    /// a few more or fewer blocks than asked). Returns the counts of block rows and columns and the
    /// block sizes.
    static func grid(_ m: Int, _ n: Int, work: Int, threads: Int) -> (rows: Int, cols: Int, rowBlock: Int, colBlock: Int) {
        let pieces = Swift.max(threads, (work + pieceWork - 1) / pieceWork)
        let mostRows = (m + 15) / 16, mostCols = (n + 15) / 16
        let ideal = Swift.min(Swift.max(Int((Double(pieces * m) / Double(Swift.max(n, 1))).squareRoot().rounded()), 1), mostRows)
        let cols = Swift.min((pieces + ideal - 1) / ideal, mostCols)
        let rows = Swift.min((pieces + cols - 1) / cols, mostRows)
        let rowBlock = ((m + rows - 1) / rows + 15) / 16 * 16, colBlock = ((n + cols - 1) / cols + 15) / 16 * 16
        return (Swift.max((m + rowBlock - 1) / rowBlock, 1), Swift.max((n + colBlock - 1) / colBlock, 1), rowBlock, colBlock)
    }

    /// `parallel` when `split`, else `serial`: for callers that are sometimes one of several workers.
    @inline(__always)
    static func product(_ split: Bool, _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, beta: Float) {
        if split {
            parallel(transA, transB, m, n, k, a, b, c, beta: beta)
        } else {
            serial(transA, transB, m, n, k, a, b, c, beta: beta)
        }
    }

    /// `batch` independent products C[i] = op(A[i])·op(B[i]) + beta·C[i] with the given element strides,
    /// spread over the threads by whole matrices when there are enough of them, else each split.
    static func batched(_ batch: Int, _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                        _ a: UnsafePointer<Float>, strideA: Int, _ b: UnsafePointer<Float>, strideB: Int,
                        _ c: UnsafeMutablePointer<Float>, beta: Float) {
        let threads = Engine.threads
        if batch >= threads && threads > 1 && batch * m * n * k >= parallelThreshold {
            Engine.parallel(threads) { w in
                for i in (batch * w / threads)..<(batch * (w + 1) / threads) where !Engine.interruptRequested {
                    serial(transA, transB, m, n, k, a + i * strideA, b + i * strideB, c + i * m * n, beta: beta)
                }
            }
            return
        }
        for i in 0..<batch where !Engine.interruptRequested {
            parallel(transA, transB, m, n, k, a + i * strideA, b + i * strideB, c + i * m * n, beta: beta)
        }
    }
}
