import CKernels

/// Winograd F(4×4, 3×3) convolution for 3×3, stride 1, dilation 1, groups 1 (Lavin & Gray 2015):
/// 36 products U_k·V_k of transformed weights [O, C] and transformed 6×6 input tiles [C, tiles]
/// replace the im2col product: 2.25 multiplications per output instead of 9. Used for conv2d
/// forward, with the kernel rotated and transposed for its input gradient, and through the adjoint
/// transforms for its weight gradient. Float32 rounding is ≈ 1e-5 absolute at unit scale.
enum Winograd {
    /// Transformed entries per tile (6×6), and output rows and columns per tile.
    static let planes = 36, step = 4
    /// Tiles per batch chunk: enough columns for efficient products, few enough that the 36
    /// transformed planes of a chunk stay near the cache.
    static let chunkTiles = 256

    /// Tile rows and columns covering an ho×wo output (the last ones may stick out past its edge).
    static func tiling(_ ho: Int, _ wo: Int) -> (th: Int, tw: Int) {
        ((ho + step - 1) / step, (wo + step - 1) / step)
    }

    /// Floats per transformed plane for `rows`×`cols` products, rounded so the planes sit 4 KiB·k +
    /// 256 B·k apart and the 36 streams a tile touches do not alias in the cache (plain rows·cols
    /// strides are often multiples of 4 KiB).
    static func planeStride(_ rows: Int, _ cols: Int) -> Int { (rows * cols + 1023) / 1024 * 1024 + 64 }

    /// Whether a conv of this geometry can run through Winograd.
    static func applies(_ g: Tensor.ConvGeometry) -> Bool {
        g.kh == 3 && g.kw == 3 && g.stride == 1 && g.dilation == 1 && g.groups == 1 && g.padding <= 2
            && g.ho >= 1 && g.wo >= 1 && g.n * g.ho * g.wo >= minimumOutputs
    }

    /// The fewest output positions (batch × height × width) for which Winograd is used. Its weight
    /// transform writes 36·O·C floats per call, which only pays for itself over enough outputs: a
    /// wide layer on a small batch at 8×8 or less is faster through im2col. Tests set it to 0 to
    /// run small cases through Winograd.
    /// (1024 measured best of 0–2048 on the bench UNets at batch 1, 4 and 16.)
    nonisolated(unsafe) static var minimumOutputs = 1024

    /// One chunk of samples `first..<end`, with its input planes already transformed: `v` holds 36
    /// planes of [C, columns] (stride `vStride`), `work` 36 uninitialised planes of [O, columns]
    /// (stride `workStride`) for the pass to use; sample s's tiles start at column (s − first)·tiles.
    /// A chunk belongs to one of several workers (`worker`, each with its own samples), or has the
    /// threads to itself (`shared`): then `forEach` spreads its loops over them.
    struct Chunk {
        let worker: Int, first: Int, end: Int, columns: Int, shared: Bool
        let v: UnsafeMutablePointer<Float>, vStride: Int
        let work: UnsafeMutablePointer<Float>, workStride: Int
        let scratch: UnsafeMutablePointer<Float>, scratchSize: Int

        /// body(i, scratch) for i in 0..<count: on this worker's thread, or across the threads
        /// (each part with its own scratch) when the chunk is shared. Stops when interrupted.
        func forEach(_ count: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
            guard shared, count > 1, Engine.threads > 1 else {
                for i in 0..<count where !Engine.interruptRequested { body(i, scratch) }
                return
            }
            let parts = Swift.min(count, Engine.threads * 8)
            Engine.parallel(parts) { part in
                let own = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
                defer { own.deallocate() }
                for i in (count * part / parts)..<(count * (part + 1) / parts) where !Engine.interruptRequested {
                    body(i, own)
                }
            }
        }
    }

    /// The batch loop both passes share. With enough tiles for every thread (at least `chunkTiles`
    /// each) the samples are split across the threads, each taking them in chunks of about
    /// `chunkTiles` tiles; otherwise (small batches or planes, a batch of one) one chunk at a time has
    /// all the threads, which share its transforms and its 36 products (`Chunk.forEach`). Each chunk's
    /// input planes of `x` [n, c, h, w] (zero padding `p`) are transformed, then handed to `body`.
    /// Stops early when an interrupt is requested.
    static func forEachChunk(_ x: UnsafePointer<Float>, n: Int, c: Int, h: Int, w width: Int, o: Int, padding p: Int,
                             _ body: (Chunk) -> Void) {
        let ho = h + 2 * p - 2, wo = width + 2 * p - 2
        let (th, tw) = tiling(ho, wo), tiles = th * tw
        let perChunk = Swift.max(1, chunkTiles / Swift.max(tiles, 1))
        let threads = Engine.threads
        let splitSamples = threads > 1 && n >= threads && n * tiles >= threads * chunkTiles
        func run(_ worker: Int, _ first: Int, _ end: Int, _ shared: Bool) {
            let cols = Swift.min(perChunk, end - first) * tiles
            let vK = planeStride(c, cols), workK = planeStride(o, cols), scratchSize = ck_winograd_scratch(th, tw)
            // Every element read is written first, so the buffers start uninitialised.
            let v0 = UnsafeMutablePointer<Float>.allocate(capacity: planes * vK)
            let work = UnsafeMutablePointer<Float>.allocate(capacity: planes * workK)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
            defer { v0.deallocate(); work.deallocate(); scratch.deallocate() }
            var s0 = first
            while s0 < end && !Engine.interruptRequested {
                let s1 = Swift.min(end, s0 + perChunk), ncol = (s1 - s0) * tiles
                let chunk = Chunk(worker: worker, first: s0, end: s1, columns: ncol, shared: shared, v: v0, vStride: vK,
                                  work: work, workStride: workK, scratch: scratch, scratchSize: scratchSize)
                chunk.forEach((s1 - s0) * c) { i, scratch in
                    let s = s0 + i / c, ic = i % c
                    ck_winograd_input(x + (s * c + ic) * h * width, h, width, p, th, tw, v0 + ic * ncol + (s - s0) * tiles, vK, scratch)
                }
                body(chunk)
                s0 = s1
            }
        }
        if splitSamples {
            Engine.parallel(threads) { worker in run(worker, n * worker / threads, n * (worker + 1) / threads, false) }
        } else {
            run(0, 0, n, true)
        }
    }

    /// The workers `forEachChunk` uses for a batch of n (accumulators per worker).
    static func workers(n: Int, tiles: Int) -> Int {
        let threads = Engine.threads
        return threads > 1 && n >= threads && n * tiles >= threads * chunkTiles ? threads : 1
    }

    /// out[n, o, ho, wo] = conv(x[n, c, h, w], weights) with zero padding `p`, plus `bias` if given.
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: [Float]?, n: Int, c: Int,
                        h: Int, w width: Int, o: Int, padding p: Int, out: UnsafeMutablePointer<Float>) {
        let ho = h + 2 * p - 2, wo = width + 2 * p - 2
        let (th, tw) = tiling(ho, wo), tiles = th * tw
        var u = Tensor.uninitializedScalars(planes * o * c)
        u.withUnsafeMutableBufferPointer { pu in
            guard let u0 = pu.baseAddress else { return }
            // 36·o·c outputs: for wide layers at small batches this is a real share of the conv.
            Engine.parallelFor(o * c, grain: 4096) { first, end in ck_winograd_weights(w, o * c, first, end - first, u0) }
        }
        u.withUnsafeBufferPointer { pu in
            guard let u0 = pu.baseAddress else { return }
            forEachChunk(x, n: n, c: c, h: h, w: width, o: o, padding: p) { chunk in
                // M_k = U_k·V_k, then Aᵀ·M·A per tile into the output planes.
                chunk.forEach(planes) { k, _ in
                    Gemm.serial(false, false, o, chunk.columns, c, u0 + k * o * c, chunk.v + k * chunk.vStride,
                                chunk.work + k * chunk.workStride, beta: 0)
                }
                chunk.forEach((chunk.end - chunk.first) * o) { i, scratch in
                    let s = chunk.first + i / o, oc = i % o
                    ck_winograd_output(chunk.work + oc * chunk.columns + (s - chunk.first) * tiles, chunk.workStride,
                                       th, tw, ho, wo, bias?[oc] ?? 0, out + (s * o + oc) * ho * wo, scratch)
                }
            }
        }
    }

    /// dW[o, c, 3, 3] = Σ over samples and tiles of Gᵀ·[(A·dy·Aᵀ)_k ⊙ (Bᵀ·d·B)_k]·G: the adjoint of
    /// `forward` with respect to the weights, as 36 products Y_k·V_kᵀ ([O, tiles]·[tiles, C]) summed
    /// over chunks of samples, one accumulator per worker. `x` is the forward input with padding `p`,
    /// `gy` its output gradient [n, o, ho, wo].
    static func weightGradient(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, n: Int, c: Int, h: Int,
                               w width: Int, o: Int, padding p: Int) -> [Float] {
        let ho = h + 2 * p - 2, wo = width + 2 * p - 2
        let (th, tw) = tiling(ho, wo), tiles = th * tw
        let workers = Self.workers(n: n, tiles: tiles)
        let plane = planes * o * c
        var du = [Float](repeating: 0, count: plane * workers)
        du.withUnsafeMutableBufferPointer { pd in
            guard let du0 = pd.baseAddress else { return }
            forEachChunk(x, n: n, c: c, h: h, w: width, o: o, padding: p) { chunk in
                // Y_k = (A·dy·Aᵀ)_k per tile, then dU_k += Y_k·V_kᵀ into this worker's accumulator.
                chunk.forEach((chunk.end - chunk.first) * o) { i, scratch in
                    let s = chunk.first + i / o, oc = i % o
                    ck_winograd_output_grad(gy + (s * o + oc) * ho * wo, ho, wo, th, tw,
                                            chunk.work + oc * chunk.columns + (s - chunk.first) * tiles,
                                            chunk.workStride, scratch)
                }
                let acc = du0 + chunk.worker * plane
                chunk.forEach(planes) { k, _ in
                    Gemm.serial(false, true, o, c, chunk.columns, chunk.work + k * chunk.workStride,
                                chunk.v + k * chunk.vStride, acc + k * o * c, beta: 1)
                }
            }
        }
        var dw = Tensor.uninitializedScalars(o * c * 9)
        du.withUnsafeMutableBufferPointer { pd in dw.withUnsafeMutableBufferPointer { pw in
            guard let du0 = pd.baseAddress, let dw0 = pw.baseAddress else { return }
            for k in 1..<workers { for i in 0..<plane { du0[i] += du0[k * plane + i] } }
            ck_winograd_weights_grad(du0, o, c, dw0)
        } }
        return dw
    }
}
