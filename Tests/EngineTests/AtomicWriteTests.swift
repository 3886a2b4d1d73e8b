import Foundation
import XCTest
@testable import DSEngine

/// A save killed mid-write leaves `.NAME.tmp-PID-N` behind (issue 11, item 5): the next save of
/// the same NAME removes the ones whose process is gone, and nothing else.
final class AtomicWriteTests: XCTestCase {
    /// The PID of a process that has exited and been reaped.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testStaleTemporariesOfTheSameTargetAreRemoved() throws {
        let folder = NSTemporaryDirectory() + "dscript-atomic-\(getpid())-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dead = try deadPID()
        let stale = [".w.safetensors.tmp-\(dead)-123456", ".w.safetensors.tmp-\(dead)-7"]
        let kept = [
            ".w.safetensors.tmp-\(getppid())-5",        // a running process may be writing w now
            ".w.safetensors.tmp-\(getpid())-5",         // so may this one
            ".other.safetensors.tmp-\(dead)-1",         // another target
            ".w.safetensors.tmp-notapid",               // not a name the writer makes
            "w.safetensors.tmp-\(dead)-1",
        ]
        for name in stale + kept { XCTAssertTrue(FileManager.default.createFile(atPath: folder + name, contents: Data([1, 2, 3]))) }

        try Safetensors.write([("x", Tensor(shape: [2], scalars: [1, 2]))], to: folder + "w.safetensors")

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        XCTAssertEqual(left, Set(kept + ["w.safetensors"]))
        XCTAssertEqual(try Safetensors.read(path: folder + "w.safetensors")["x"]?.scalars, [1, 2])
        // The .npy writer goes through the same writer.
        FileManager.default.createFile(atPath: folder + ".v.npy.tmp-\(dead)-9", contents: Data())
        try Npy.write(Tensor(shape: [1], scalars: [3]), to: folder + "v.npy")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + ".v.npy.tmp-\(dead)-9"))
    }
}
