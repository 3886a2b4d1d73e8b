#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one memory budget of a dscript process: how many bytes its lists, strings, dicts and tensors
/// may take together. Growth that would go past it is refused with an error *before* the allocation,
/// because Swift cannot recover from a failed one ("Fatal error: failed to allocate").
///
/// - The budget is the smaller of physical memory and the address-space limit (`ulimit -v`) unless
///   set (`--max-memory SIZE` on the command line, `memory_limit(SIZE)` in a script); it may be set
///   above physical memory (swap), never past `ulimit -v`, which is checked on its own.
/// - One object may hold at most the whole budget: `maxCount(stride:)` is the cap on list elements,
///   string bytes and tensor elements (the engine adds the 2^31 of BLAS's 32-bit sizes).
/// - `reserve` is called before each allocation that may be large. The process's memory is measured
///   (`MemoryUsage`) for every request of at least `measureEvery` bytes and once per `measureEvery`
///   bytes of smaller requests (64 MiB, or a 16th of a smaller budget), so checks cost nothing on
///   small objects; the address-space check keeps `addressSpaceReserve` free.
public enum MemoryBudget {
    /// Requests are measured against the process's memory once per this many bytes at most.
    public static let measureEvery = 64 << 20
    /// The smallest budget that may be set: enough for the interpreter itself.
    public static let minimumBytes = 16 << 20

    /// Physical memory in bytes (nil where the system does not say).
    public static let physicalMemory: Int? = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : bytes
    }()

    /// The address-space limit (`ulimit -v`, `RLIMIT_AS`) in bytes; nil when unlimited.
    public static let addressSpaceLimit: Int? = {
        var limit = rlimit()
        // RLIM_INFINITY is all ones (the Glibc module cannot import its definition).
        guard getrlimit(resourceAddressSpace, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return limit.rlim_cur > rlim_t(Int.max) ? nil : Int(limit.rlim_cur)
    }()

    /// The budget when none is set: the smaller of physical memory and the address-space limit.
    public static let defaultBytes: Int = {
        let known = [physicalMemory, addressSpaceLimit].compactMap { $0 }
        return Swift.max(known.min() ?? (1 << 40), minimumBytes)
    }()

    /// The budget in bytes (at least `minimumBytes`).
    public static var bytes: Int {
        get { state.withLock { $0.bytes } }
        set { state.withLock { $0.bytes = Swift.max(newValue, minimumBytes) } }
    }

    /// Validates a budget a user asks for (`--max-memory`, `memory_limit`): `text` is a size such as
    /// `8G` or a number of bytes, at least `minimumBytes`.
    public static func validated(_ text: String) throws(MemoryBudgetError) -> Int {
        guard let bytes = ByteCount.parse(text) else {
            throw MemoryBudgetError("'\(text)' is not a size (write a number of bytes, or 512M, 8G, 1.5T)")
        }
        return try validated(bytes)
    }

    /// Validates a budget given in bytes.
    public static func validated(_ bytes: Int) throws(MemoryBudgetError) -> Int {
        guard bytes >= minimumBytes else {
            throw MemoryBudgetError("a memory budget must be at least \(ByteCount.format(minimumBytes)), got \(ByteCount.format(bytes))")
        }
        return bytes
    }

    /// The most elements of `stride` bytes one object (list, string, tensor) may hold.
    public static func maxCount(stride: Int) -> Int { bytes / Swift.max(stride, 1) }

    /// Refuses an allocation of `count` elements of `stride` bytes when it is larger than the budget,
    /// or when the process's memory plus the request would go past the budget or `ulimit -v`.
    /// `what` names the object in the message ("a list of 100000000 elements").
    public static func reserve(count: Int, stride: Int, for what: @autoclosure () -> String) throws(MemoryBudgetError) {
        let (request, overflow) = Swift.max(count, 0).multipliedReportingOverflow(by: stride)
        try reserve(bytes: overflow ? Int.max : request, for: what())
    }

    /// `reserve(count:stride:for:)` for a request already counted in bytes.
    public static func reserve(bytes request: Int, for what: @autoclosure () -> String) throws(MemoryBudgetError) {
        let (budget, measure) = state.withLock { s -> (Int, Bool) in
            let (pending, overflow) = s.pending.addingReportingOverflow(request)
            if overflow || pending >= Swift.min(measureEvery, s.bytes / 16) {
                s.pending = 0
                return (s.bytes, true)
            }
            s.pending = pending
            return (s.bytes, false)
        }
        if request > budget {
            throw MemoryBudgetError("\(what()) would take \(ByteCount.format(request)), more than the whole "
                                    + "memory budget of \(ByteCount.format(budget))\(hint)")
        }
        guard measure, let usage = MemoryUsage.current() else { return }
        if usage.heapInUse + request > budget {
            throw MemoryBudgetError("\(what()) would take \(ByteCount.format(request)), and "
                                    + "\(ByteCount.format(usage.heapInUse)) of the memory budget of "
                                    + "\(ByteCount.format(budget)) is in use\(hint)")
        }
        if let limit = addressSpaceLimit, usage.addressSpace + request > limit - addressSpaceReserve {
            throw MemoryBudgetError("\(what()) would take \(ByteCount.format(request)), and "
                                    + "\(ByteCount.format(usage.addressSpace)) of the address-space limit of "
                                    + "\(ByteCount.format(limit)) (ulimit -v) is in use")
        }
    }

    /// Address space kept free below `ulimit -v`: what may be allocated between two measurements,
    /// and the 128 MiB that glibc maps (and trims) to give a thread's arena a new heap.
    static let addressSpaceReserve = 4 * measureEvery

    static let hint = " (--max-memory or memory_limit() sets it)"

    // MARK: State

    private struct State {
        var bytes = MemoryBudget.defaultBytes
        /// Bytes requested since the last measurement.
        var pending = 0
    }

    private static let state = Locked(State())

    #if os(Linux)
    private static let resourceAddressSpace = __rlimit_resource_t(RLIMIT_AS.rawValue)
    #else
    private static let resourceAddressSpace = RLIMIT_AS
    #endif
}

/// A refused allocation: the message names the object, its size and the budget.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A value behind a mutex (the budget is read and set from any thread: tests run interpreters side by side).
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
