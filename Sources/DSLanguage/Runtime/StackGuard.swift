#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if os(Linux)
import CSystem
#endif

/// Finds how deep the running thread's machine stack may grow, so deep recursion becomes a
/// "stack overflow" error instead of a crash.
enum StackGuard {
    /// Bytes kept free below the limit for native code and error handling.
    static let headroom: UInt = 256 * 1024

    /// An address near the top of the current stack frame (the frame address: a local variable's
    /// address lies on a heap "fake stack" under AddressSanitizer).
    @inline(__always)
    static func currentAddress() -> UInt {
        #if os(Linux)
        return UInt(dscript_frame_address())
        #else
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        #endif
    }

    /// Without thread information: assume half a megabyte below the current frame.
    static func fallbackLimit() -> UInt {
        let here = currentAddress()
        return here > 512 * 1024 ? here - 512 * 1024 : 0
    }

    /// The lowest address calls may reach on this thread (0 when unknown).
    static func limitForCurrentThread() -> UInt {
        var low: UInt = 0
        var size: UInt = 0
        #if canImport(Glibc)
        var attr = pthread_attr_t()
        // pthread_getattr_np is a GNU extension the Glibc module does not export: find it by name.
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else {
            return fallbackLimit()
        }
        let getattr = unsafeBitCast(symbol, to: GetAttr.self)
        if getattr(pthread_self(), &attr) == 0 {
            var address: UnsafeMutableRawPointer?
            var bytes: Int = 0
            if pthread_attr_getstack(&attr, &address, &bytes) == 0, let address {
                low = UInt(bitPattern: address)
                size = UInt(bytes)
            }
            pthread_attr_destroy(&attr)
        }
        // The main thread reports the rlimit size; the stack really ends where it is mapped.
        if size == 0 { return fallbackLimit() }
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        size = UInt(pthread_get_stacksize_np(pthread_self()))
        low = top - size
        #endif
        let here = currentAddress()
        guard here > low else { return 0 }
        let headroom = min(headroom, size / 4)
        return low + headroom
    }
}
