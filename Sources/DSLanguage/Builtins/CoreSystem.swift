#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Clocks, sleeping and the environment.
enum CoreSystem {
    static let table: [Builtin] = [
        Builtin("time()", "seconds since the Unix epoch, as a fraction", example: "let t0 = time()") { _, _ in
            .number(seconds(CLOCK_REALTIME))
        },
        Builtin("clock()", "seconds on a monotonic clock, for measuring durations", example: "let t0 = clock(); work(); print(clock() - t0)") { _, _ in
            .number(seconds(CLOCK_MONOTONIC))
        },
        Builtin("sleep(seconds)", "waits for a number of seconds (Ctrl-C interrupts)", example: "sleep(0.5)") { args, context in
            var remaining = try args.number("seconds")
            guard remaining.isFinite, remaining >= 0 else {
                throw args.error("seconds", "non-negative number expected, got \(formatNumber(remaining))")
            }
            while remaining > 0 {
                try context.checkInterrupt()
                let slice = Swift.min(remaining, 0.05)
                var request = timespec(tv_sec: Int(slice), tv_nsec: Int((slice - slice.rounded(.down)) * 1e9))
                var left = timespec()
                _ = nanosleep(&request, &left)
                remaining -= slice
            }
            try context.checkInterrupt()
            return .null
        },
        Builtin("getenv(name)", "the value of an environment variable, or nil", example: "getenv(\"HOME\")") { args, _ in
            guard let value = getenv(try args.string("name")) else { return .null }
            return .string(String(cString: value))
        },
    ]

    static func seconds(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
