import CKernels
import COpenBLAS

/// What the engine computes on and with, as `torch.__config__.show()` tells it: the CPU, the
/// instruction level of dscript's own kernels, the BLAS and the kernels it runs, and the threads.
/// Printed by `dscript --version`, the REPL's `:info` and every benchmark script.
public struct MachineConfiguration: Sendable {
    /// The CPU's brand string with its family and model ("AMD EPYC 9654 (family 25, model 17)").
    public let cpu: String
    /// The instruction-set features that decide the level, as `lscpu` names them.
    public let features: [String]
    /// The level dscript's kernels run at ("avx512"), and the best one this CPU has.
    public let level: String, bestLevel: String
    /// Why the level is lower than the best (DSCRIPT_CPU_LEVEL), or that a request was ignored.
    public let levelNote: String?
    /// "OpenBLAS 0.3.21 (DYNAMIC_ARCH)", and its kernels ("SkylakeX").
    public let blas: String, blasKernel: String
    /// Who chose the BLAS kernels.
    public let blasNote: String
    /// Compute threads, and where that number comes from.
    public let threads: Int, threadSource: String

    /// The configuration now.
    public static var current: MachineConfiguration {
        let startup = ck_startup_state().pointee
        var brand = [CChar](repeating: 0, count: 64)
        var family: UInt32 = 0, model: UInt32 = 0
        ck_cpu_brand(&brand, brand.count, &family, &model)
        var name = String(cString: brand)
        #if arch(x86_64)
        if name.isEmpty { name = "x86-64 CPU" }
        name += " (family \(family), model \(model))"
        #elseif arch(arm64)
        if name.isEmpty { name = "arm64 CPU" }
        #endif
        var cpuFeatures = ck_cpu_features()
        ck_cpu_detect(&cpuFeatures)
        let level = String(cString: ck_level_name(startup.active)), best = String(cString: ck_level_name(startup.best))
        let request = cString(startup.level_request)
        let levelNote: String?
        if startup.level_invalid {
            levelNote = "DSCRIPT_CPU_LEVEL=\(request) ignored: expected baseline, avx2 or avx512"
        } else if startup.level_forced {
            levelNote = startup.active == startup.best && request.lowercased() != best
                ? "DSCRIPT_CPU_LEVEL=\(request), capped at the CPU's best" : "DSCRIPT_CPU_LEVEL=\(request)"
        } else {
            levelNote = nil
        }
        let kernel = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let user = cString(startup.blas_user_core), own = cString(startup.blas_own_core)
        let blasNote: String
        if !user.isEmpty {
            blasNote = "OPENBLAS_CORETYPE=\(user) from the environment"
        } else if startup.blas_switched {
            blasNote = "chosen by dscript for \(level); OpenBLAS had picked \(own)"
        } else if !startup.blas_dynamic {
            blasNote = "built for one CPU type"
        } else {
            blasNote = "OpenBLAS's own choice"
        }
        return MachineConfiguration(
            cpu: name, features: Self.names(cpuFeatures), level: level, bestLevel: best, levelNote: levelNote,
            blas: Self.blasVersion(), blasKernel: kernel, blasNote: blasNote,
            threads: Engine.threads, threadSource: Engine.threadSource)
    }

    /// One line, for benchmark output: `cpu …; kernels avx512; OpenBLAS … kernel …; 2 threads`.
    public var summary: String {
        "\(cpu); kernels \(level)\(levelNote.map { " (\($0))" } ?? ""); \(blas) kernel \(blasKernel) (\(blasNote)); "
            + "\(threads) thread\(threads == 1 ? "" : "s") (\(threadSource))"
    }

    /// Several lines, for `--version` and `:info`.
    public var report: String {
        """
        cpu:     \(cpu)
                 \(features.isEmpty ? "(no x86 vector extensions detected)" : features.joined(separator: " "))
        kernels: \(level)\(level == bestLevel ? " (the best this CPU has)" : " (this CPU has \(bestLevel))")\(levelNote.map { "; \($0)" } ?? "")
        blas:    \(blas), kernel \(blasKernel) (\(blasNote))
        threads: \(threads) (\(threadSource))
        """
    }

    /// The features that matter for the choice, named as in `lscpu`.
    static func names(_ f: ck_cpu_features) -> [String] {
        let named: [(Bool, String)] = [
            (f.sse42, "sse4_2"), (f.avx, "avx"), (f.avx2, "avx2"), (f.fma, "fma"), (f.f16c, "f16c"), (f.bmi2, "bmi2"),
            (f.avx512f, "avx512f"), (f.avx512dq, "avx512dq"), (f.avx512bw, "avx512bw"), (f.avx512vl, "avx512vl"),
            (f.avx512cd, "avx512cd"), (f.avx512bf16, "avx512_bf16"),
        ]
        var names = named.filter(\.0).map(\.1)
        if f.avx && !f.os_ymm { names.append("(the OS does not save AVX registers)") }
        if f.avx512f && !f.os_zmm { names.append("(the OS does not save AVX-512 registers)") }
        return names
    }

    /// "OpenBLAS 0.3.21 (DYNAMIC_ARCH)" from `openblas_get_config()`.
    static func blasVersion() -> String {
        guard let config = openblas_get_config().map({ String(cString: $0) }) else { return "OpenBLAS" }
        let words = config.split(separator: " ")
        let version = words.prefix(2).joined(separator: " ")
        return words.contains("DYNAMIC_ARCH") ? version + " (DYNAMIC_ARCH)" : version
    }

    /// A fixed-size C character array as a String.
    static func cString<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
