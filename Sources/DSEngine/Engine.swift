import CKernels
import DSLimits
import Foundation

#if os(Linux)
/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// Global engine settings: compute threads, the allocation limit and the no-grad mode.
///
/// Grad mode is per thread, as in PyTorch (interpreters on different threads, such as tests run in
/// parallel, do not see each other's `no_grad`); `withNoGrad` saves and restores it, so nesting and
/// errors are safe.
public enum Engine {
    nonisolated(unsafe) private static var threadCount = defaultThreads.count
    /// Where the thread count comes from, for `MachineConfiguration`.
    nonisolated(unsafe) public private(set) static var threadSource = defaultThreads.source
    /// The calling thread's grad mode: recording unless its thread-specific slot is set.
    static var gradEnabledFlag: Bool {
        get { pthread_getspecific(gradModeKey) == nil }
        set { pthread_setspecific(gradModeKey, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
    private static let gradModeKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    /// The most elements a tensor may have: what fits in the memory budget (`MemoryBudget`, shared with
    /// the language's lists and strings), and at most 2^31 - 1, the largest size BLAS's 32-bit
    /// arguments take. Zero-size axes count as one (`Tensor.checkedCount`).
    public static var maxElements: Int { Swift.min(MemoryBudget.maxCount(stride: MemoryLayout<Float>.stride), Int(Int32.max)) }
    /// The most axes a tensor may have (NumPy's limit), so hostile shapes cannot cost quadratic time.
    public static let maxRank = 64

    /// The number of compute threads (elementwise splits and matrix-product panels). Set from `--threads`.
    public static var threads: Int {
        get { threadCount }
        set {
            threadCount = max(1, min(newValue, 256))
            threadSource = "--threads"
        }
    }

    /// The thread count a user asked for with `OMP_NUM_THREADS` (as PyTorch reads it), else one per
    /// core this process may run on.
    static let defaultThreads: (count: Int, source: String) = {
        if let text = ProcessInfo.processInfo.environment["OMP_NUM_THREADS"], let n = Int(text), n > 0 {
            return (min(n, 256), "OMP_NUM_THREADS")
        }
        return (max(1, ProcessInfo.processInfo.activeProcessorCount), "one per core")
    }()

    /// Keeps freed tensor buffers in the heap instead of returning them to the kernel, so hot loops
    /// do not pay a page fault per 4 KiB on every new tensor (glibc trims and mmaps eagerly otherwise).
    static let allocatorConfigured: Bool = {
        #if os(Linux)
        _ = glibcMallopt(-3, 1 << 30)   // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)   // M_TRIM_THRESHOLD
        _ = glibcMallopt(-2, 64 << 20)  // M_TOP_PAD
        #endif
        return true
    }()

    /// Sets up the allocator and stops OpenBLAS's own threads now rather than at the first tensor, so a
    /// script that never makes one does not have them spinning beside it for their first ~0.1 s.
    public static func prepare() {
        _ = allocatorConfigured
        _ = Gemm.configured
    }

    /// Asks the long loops of the engine — matrix products, convolutions, attention — to stop at
    /// their next piece of work (a few milliseconds), leaving their results incomplete: whoever asked
    /// must discard them (the interpreter raises "interrupted" as soon as the native call returns).
    /// Async-signal-safe, for a SIGINT handler.
    public static func requestInterrupt() { ck_interrupt_set(1) }

    /// Withdraws the request (before running new code).
    public static func clearInterrupt() { ck_interrupt_set(0) }

    /// Whether an interrupt was requested: long loops check it between their pieces of work.
    @inline(__always)
    public static var interruptRequested: Bool { ck_interrupt_requested() != 0 }

    /// Throws "interrupted" when an interrupt was requested; called between the layers of a network
    /// and the nodes of a backward pass, so that these stop within one layer, not at the end.
    public static func checkInterrupt() throws {
        if interruptRequested { throw TensorError("interrupted") }
    }

    /// Whether operations are being recorded for autograd (false inside `withNoGrad`).
    public static var isGradEnabled: Bool { gradEnabledFlag }

    /// Runs `body` with gradient recording switched off (PyTorch's `torch.no_grad()`).
    public static func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = gradEnabledFlag
        gradEnabledFlag = false
        defer { gradEnabledFlag = saved }
        return try body()
    }

    /// Runs `body` with gradient recording set to `enabled`.
    public static func withGradEnabled<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
        let saved = gradEnabledFlag
        gradEnabledFlag = enabled
        defer { gradEnabledFlag = saved }
        return try body()
    }

    /// Runs `body(0) … body(parts − 1)` on the engine's worker threads (the caller's included) and
    /// returns when all have finished; parts are claimed dynamically. Nested calls run serially.
    static func parallel(_ parts: Int, _ body: (Int) -> Void) {
        let threads = threadCount
        if parts <= 1 || threads <= 1 {
            for i in 0..<Swift.max(parts, 0) { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let job = ParallelJob(escapable)
            let context = Unmanaged.passUnretained(job).toOpaque()
            ck_parallel(parts, threads, { context, part in
                guard let context else { return }
                Unmanaged<ParallelJob>.fromOpaque(context).takeUnretainedValue().body(part)
            }, context)
            withExtendedLifetime(job) {}
        }
    }

    /// Splits `0..<count` into chunks of at least `grain` items and runs them across the threads.
    @inline(__always)
    static func parallelFor(_ count: Int, grain: Int = 32768, _ body: (Int, Int) -> Void) {
        let threads = threadCount
        if threads <= 1 || count < 2 * grain {
            body(0, count)
            return
        }
        let chunks = min(threads * 4, (count + grain - 1) / grain)
        let size = (count + chunks - 1) / chunks
        parallel(chunks) { c in
            let start = c * size
            let end = min(count, start + size)
            if start < end { body(start, end) }
        }
    }
}

/// The closure of one parallel region, boxed so C worker threads can reach it through a pointer.
private final class ParallelJob {
    let body: (Int) -> Void
    init(_ body: @escaping (Int) -> Void) { self.body = body }
}
