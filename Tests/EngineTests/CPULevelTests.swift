import CKernels
import COpenBLAS
import Foundation
import XCTest
@testable import DSEngine

/// The choice of CPU level from the CPU's features (a pure function, checked here for CPUs this
/// machine is not: Sapphire Rapids, Zen 4, Haswell, Sandy Bridge, ...), the detection against the
/// kernel's own flags, and every level this CPU has, run for real: the numerical test classes are
/// run again in a child process per level (DSCRIPT_CPU_LEVEL), which also checks that OpenBLAS runs
/// the kernels of that level.
final class CPULevelTests: XCTestCase {
    /// The features of an x86-64-v3 CPU with an OS that saves the YMM registers (Haswell and later).
    static var haswell: ck_cpu_features {
        var f = ck_cpu_features()
        f.sse3 = true; f.ssse3 = true; f.sse41 = true; f.sse42 = true; f.popcnt = true
        f.avx = true; f.avx2 = true; f.fma = true; f.f16c = true; f.bmi1 = true; f.bmi2 = true; f.lzcnt = true; f.movbe = true
        f.os_ymm = true
        return f
    }

    /// Sapphire Rapids and Zen 4/5: AVX-512 F, DQ, BW, VL, CD and BF16.
    static var sapphireRapids: ck_cpu_features {
        var f = haswell
        f.avx512f = true; f.avx512dq = true; f.avx512bw = true; f.avx512vl = true; f.avx512cd = true; f.avx512bf16 = true
        f.os_zmm = true
        return f
    }

    func level(_ f: ck_cpu_features) -> String {
        var f = f
        return String(cString: ck_level_name(ck_level_supported(&f)))
    }

    func blasCore(_ level: ck_level, forced: Bool) -> String? { ck_blas_core(level, forced).map { String(cString: $0) } }

    func testLevelFromFeatures() {
        XCTAssertEqual(level(Self.sapphireRapids), "avx512")
        var noZMM = Self.sapphireRapids
        noZMM.os_zmm = false   // an OS (or hypervisor) that does not save the AVX-512 registers
        XCTAssertEqual(level(noZMM), "avx2")
        var knightsLanding = Self.haswell
        knightsLanding.avx512f = true; knightsLanding.avx512cd = true; knightsLanding.os_zmm = true
        XCTAssertEqual(level(knightsLanding), "avx2", "AVX-512 F and CD without BW, DQ and VL is not x86-64-v4")
        XCTAssertEqual(level(Self.haswell), "avx2")
        var noYMM = Self.haswell
        noYMM.os_ymm = false
        XCTAssertEqual(level(noYMM), "baseline")
        var sandyBridge = Self.haswell
        sandyBridge.avx2 = false; sandyBridge.fma = false; sandyBridge.bmi1 = false; sandyBridge.bmi2 = false
        sandyBridge.lzcnt = false; sandyBridge.movbe = false
        XCTAssertEqual(level(sandyBridge), "baseline")
        for missing in [\ck_cpu_features.movbe, \.lzcnt, \.f16c, \.sse42, \.popcnt] {
            var f = Self.sapphireRapids
            f[keyPath: missing] = false
            XCTAssertEqual(level(f), "baseline", "without \(missing)")
        }
        XCTAssertEqual(level(ck_cpu_features()), "baseline")
    }

    func testBlasCoreOfEachLevel() {
        XCTAssertEqual(blasCore(CK_LEVEL_AVX512, forced: false), "SKYLAKEX")
        XCTAssertEqual(blasCore(CK_LEVEL_AVX2, forced: false), "HASWELL")
        XCTAssertEqual(blasCore(CK_LEVEL_AVX2, forced: true), "HASWELL")
        XCTAssertNil(blasCore(CK_LEVEL_BASELINE, forced: false), "OpenBLAS knows older CPUs better than 'baseline'")
        XCTAssertEqual(blasCore(CK_LEVEL_BASELINE, forced: true), "PRESCOTT")
        for (name, level) in [("SkylakeX", "avx512"), ("Cooperlake", "avx512"), ("Haswell", "avx2"), ("Zen", "avx2"),
                              ("Sandybridge", "baseline"), ("Prescott", "baseline"), ("", "baseline")] {
            XCTAssertEqual(String(cString: ck_level_name(ck_blas_core_level(name))), level, name)
        }
        // The core each level asks for counts as that level again.
        for l in [CK_LEVEL_BASELINE, CK_LEVEL_AVX2, CK_LEVEL_AVX512] {
            XCTAssertEqual(ck_blas_core_level(ck_blas_core(l, true)), l)
        }
        XCTAssertEqual(ck_level_parse("AVX2"), Int32(CK_LEVEL_AVX2.rawValue))
        XCTAssertEqual(ck_level_parse("sse"), -1)
    }

    /// cpuid + xgetbv agree with the flags Linux reports (it hides those the OS does not support).
    func testDetectionMatchesTheKernelsFlags() throws {
        #if os(Linux) && arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try XCTUnwrap(info.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: " ").map(String.init))
        var f = ck_cpu_features()
        ck_cpu_detect(&f)
        let pairs: [(Bool, String)] = [
            (f.sse3, "pni"), (f.ssse3, "ssse3"), (f.sse41, "sse4_1"), (f.sse42, "sse4_2"), (f.popcnt, "popcnt"),
            (f.avx && f.os_ymm, "avx"), (f.avx2 && f.os_ymm, "avx2"), (f.fma && f.os_ymm, "fma"), (f.f16c, "f16c"),
            (f.bmi1, "bmi1"), (f.bmi2, "bmi2"), (f.lzcnt, "abm"), (f.movbe, "movbe"),
            (f.avx512f && f.os_zmm, "avx512f"), (f.avx512dq && f.os_zmm, "avx512dq"), (f.avx512bw && f.os_zmm, "avx512bw"),
            (f.avx512vl && f.os_zmm, "avx512vl"), (f.avx512cd && f.os_zmm, "avx512cd"), (f.avx512bf16 && f.os_zmm, "avx512_bf16"),
        ]
        for (detected, flag) in pairs {
            XCTAssertEqual(detected, flags.contains(flag), "\(flag): cpuid says \(detected), /proc/cpuinfo disagrees")
        }
        #else
        throw XCTSkip("x86-64 Linux only")
        #endif
    }

    /// The level the kernels run and the kernels OpenBLAS runs are the ones asked for: the CPU's
    /// best unless DSCRIPT_CPU_LEVEL lowers it, OpenBLAS's of the same level unless the environment
    /// names its own OPENBLAS_CORETYPE. (The child processes below run this with each level.)
    func testRunningLevelAndBlasKernels() throws {
        let state = ck_startup_state().pointee
        var f = ck_cpu_features()
        ck_cpu_detect(&f)
        XCTAssertEqual(state.best, ck_level_supported(&f))
        let request = ProcessInfo.processInfo.environment["DSCRIPT_CPU_LEVEL"] ?? ""
        let asked = ck_level_parse(request)
        let expected = asked >= 0 ? ck_level(rawValue: min(UInt32(asked), state.best.rawValue)) : state.best
        XCTAssertEqual(state.active, expected, "DSCRIPT_CPU_LEVEL=\(request)")
        let table = try XCTUnwrap(ck_kernels_at(state.active))
        XCTAssertNotNil(table.pointee.silu)
        XCTAssertNil(ck_kernels_at(ck_level(rawValue: state.best.rawValue + 1)))
        let core = String(cString: openblas_get_corename())
        let user = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        if !user.isEmpty {
            XCTAssertEqual(MachineConfiguration.cString(state.blas_user_core), user)
            XCTAssertFalse(state.blas_switched, "the user's OPENBLAS_CORETYPE must stand")
        } else if state.blas_dynamic && (state.active != CK_LEVEL_BASELINE || asked >= 0) {
            XCTAssertEqual(ck_blas_core_level(core), state.active, "OpenBLAS runs \(core)")
        }
        XCTAssertEqual(MachineConfiguration.current.blasKernel, core)
    }

    /// The numerical test classes, run again in a child process at each level this CPU has (the
    /// best one too, without OPENBLAS_CORETYPE, so the BLAS check above sees dscript's own choice).
    func testEveryLevelPassesTheNumericalTests() throws {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["DSCRIPT_LEVEL_CHILD"] != nil { throw XCTSkip("inside a child run") }
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let classes = [
            "EngineTests.CPULevelTests/testRunningLevelAndBlasKernels", "EngineTests.KernelLevelTests",
            "EngineTests.GoldenTests", "EngineTests.ElementwiseTests", "EngineTests.ReductionTests", "EngineTests.AutogradTests",
            "EngineTests.FastMathTests", "EngineTests.ConvThreadingTests", "DiffusionTests.ModelGoldenTests",
            "DiffusionTests.DscriptFixtureTests", "DiffusionTests.SamplerTests", "DiffusionTests.LossTests",
        ]
        for level in [CK_LEVEL_BASELINE, CK_LEVEL_AVX2, CK_LEVEL_AVX512] where ck_kernels_at(level) != nil {
            let name = String(cString: ck_level_name(level))
            let process = Process()
            process.executableURL = binary
            process.arguments = [classes.joined(separator: ",")]
            var environment = ProcessInfo.processInfo.environment
            environment["DSCRIPT_CPU_LEVEL"] = name
            environment["OPENBLAS_CORETYPE"] = nil
            environment["DSCRIPT_LEVEL_CHILD"] = "1"
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let failures = log.split(separator: "\n").filter { $0.contains(": error: ") }.prefix(10).joined(separator: "\n")
            XCTAssertEqual(process.terminationStatus, 0, "at \(name):\n\(failures)")
            // The last summary line counts every test run: a misspelt class would run none.
            let summary = log.split(separator: "\n").last { $0.contains("Executed ") } ?? ""
            let words = summary.split(whereSeparator: \.isWhitespace)
            let executed = words.firstIndex(of: "Executed").flatMap { Int(words[$0 + 1]) } ?? 0
            XCTAssertGreaterThanOrEqual(executed, 40, "at \(name): \(summary)")
            XCTAssertTrue(summary.contains("with 0 failures"), "at \(name): \(log.suffix(400))")
        }
        #else
        throw XCTSkip("Linux only (the child is this test executable)")
        #endif
    }
}
