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

    /// C = op(A)·op(B) + beta·C, split across the engine threads when it is large: by rows of C when
    /// it is taller than wide, else by columns (panels rounded to 16 so each keeps whole vector blocks).
    static func parallel(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                         _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, beta: Float) {
        let lda = transA ? m : k, ldb = transB ? k : n
        let parts = Swift.min(Engine.threads, Swift.max(1, m * n * k / parallelThreshold))
        if parts <= 1 || (m < 32 && n < 32) {
            serial(transA, transB, m, n, k, a, lda: lda, b, ldb: ldb, c, ldc: n, beta: beta)
            return
        }
        let byRows = m >= n
        let total = byRows ? m : n
        let block = ((total + parts - 1) / parts + 15) / 16 * 16
        let pieces = (total + block - 1) / block
        Engine.parallel(pieces) { p in
            let lo = p * block, len = Swift.min(block, total - lo)
            if byRows {
                // Rows lo..<lo+len of C come from rows of op(A): A[lo, 0] or, transposed, A[0, lo].
                let ap = a + (transA ? lo : lo * lda)
                serial(transA, transB, len, n, k, ap, lda: lda, b, ldb: ldb, c + lo * n, ldc: n, beta: beta)
            } else {
                // Columns lo..<lo+len of C come from columns of op(B): B[0, lo] or, transposed, B[lo, 0].
                let bp = b + (transB ? lo * ldb : lo)
                serial(transA, transB, m, len, k, a, lda: lda, bp, ldb: ldb, c + lo, ldc: n, beta: beta)
            }
        }
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
                for i in (batch * w / threads)..<(batch * (w + 1) / threads) {
                    serial(transA, transB, m, n, k, a + i * strideA, b + i * strideB, c + i * m * n, beta: beta)
                }
            }
            return
        }
        for i in 0..<batch {
            parallel(transA, transB, m, n, k, a + i * strideA, b + i * strideB, c + i * m * n, beta: beta)
        }
    }
}
