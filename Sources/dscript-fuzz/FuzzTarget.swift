import DSLimits
import Foundation

/// One libFuzzer target: a name, the test fixtures that seed its corpus, and a body that must turn
/// any bytes into a result or an error, never a crash, a hang or a huge allocation.
///
/// Adding a target is adding a row to `all` (and, if its seeds live elsewhere, naming their
/// folders); `scripts/fuzz NAME` then builds, seeds and runs it.
struct FuzzTarget {
    let name: String
    /// Folders (relative to the repository) whose files seed the corpus, and the file suffixes taken.
    let seeds: [(folder: String, suffix: String)]
    let body: (UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "script", seeds: [("Tests/scripts", ".dscript"), ("stdlib", ".dscript"), ("scripts/examples", ".dscript")],
                   body: FuzzBodies.script),
        FuzzTarget(name: "safetensors", seeds: [("Tests/Fixtures", ".safetensors")], body: FuzzBodies.safetensors),
        FuzzTarget(name: "npy", seeds: [("Tests/Fixtures", ".npy")], body: FuzzBodies.npy),
        FuzzTarget(name: "png", seeds: [("Tests/Fixtures/pictures", ".png")], body: FuzzBodies.png),
        FuzzTarget(name: "idx", seeds: [("Tests/Fixtures/files", "ubyte"), ("Tests/Fixtures/files", ".idx"), ("Tests/Fixtures/files", ".gz")],
                   body: FuzzBodies.idx),
        FuzzTarget(name: "checkpoint", seeds: [("Tests/Fixtures/fuzz/checkpoint", ".json")], body: FuzzBodies.checkpoint),
        FuzzTarget(name: "config", seeds: [("Tests/Fixtures/models", "config.json")],
                   body: FuzzBodies.config),
        FuzzTarget(name: "torch", seeds: [("Tests/Fixtures/torch", ".pt"), ("Tests/Fixtures/torch", ".ckpt"),
                                          ("Tests/Fixtures/torch", ".pkl"), ("Tests/Fixtures/models/formats", ".bin")],
                   body: FuzzBodies.torch),
    ]

    /// The target `DSCRIPT_FUZZ_TARGET` names; the process exits with a list when it names none.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["DSCRIPT_FUZZ_TARGET"] ?? ""
        if let target = all.first(where: { $0.name == name }) { return target }
        FileHandle.standardError.write(Data("DSCRIPT_FUZZ_TARGET must be one of: \(all.map(\.name).joined(separator: " "))\n".utf8))
        exit(2)
    }()
}

/// libFuzzer's hooks. The memory budget is set to 1 GiB, below libFuzzer's 2 GiB malloc limit, so a
/// hostile size is refused by dscript's own checks (an error) rather than reported as an OOM.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    MemoryBudget.bytes = 1 << 30
    if ProcessInfo.processInfo.environment["DSCRIPT_FUZZ_LIST"] != nil {
        // For scripts/fuzz: one line per seed folder, `TARGET FOLDER SUFFIX`.
        for target in FuzzTarget.all {
            for seed in target.seeds { print(target.name, seed.folder, seed.suffix) }
        }
        exit(0)
    }
    let target = FuzzTarget.selected
    // Run the seeds once before libFuzzer counts allocations: Swift's lazy globals (tables, caches)
    // are made on first use and kept, which its leak check would report against the first input.
    if let folder = ProcessInfo.processInfo.environment["DSCRIPT_FUZZ_WARMUP"],
       let files = try? FileManager.default.contentsOfDirectory(atPath: folder) {
        for file in files.sorted() {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
            data.withUnsafeBytes { target.body($0) }
        }
    }
    target.body(UnsafeRawBufferPointer(start: nil, count: 0))
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.selected.body(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
