#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DSLimits

/// Clocks, sleeping, the environment and the memory budget.
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
        Builtin("memory_limit(size)", "the memory budget in bytes that lists, strings, dicts and tensors share; with size (bytes, or \"512M\", \"8G\") sets it and returns the old one",
                example: "memory_limit(\"4G\")") { args, _ in
            let old = MemoryBudget.bytes
            guard args.has("size") else { return .number(Double(old)) }
            do {
                switch try args.value("size") {
                case .string(let text): MemoryBudget.bytes = try MemoryBudget.validated(text)
                case .number(let x):
                    guard let bytes = ByteCount.bytes(x) else { throw MemoryBudgetError("\(formatNumber(x)) is not a number of bytes") }
                    MemoryBudget.bytes = try MemoryBudget.validated(bytes)
                case let other: throw args.typeError("size", expected: "number or string", got: other)
                }
            } catch let error as MemoryBudgetError {
                throw args.error("size", error.message)
            }
            return .number(Double(old))
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
