import Foundation
import XCTest
@testable import DSEngine

/// Readers given something that is not a regular file refuse it at once. A FIFO used to block
/// `open` forever (`load_png("pipe")`, a folder of PNGs holding a FIFO, a checkpoint that is one).
final class FormatsSpecialFileTests: XCTestCase {
    /// The error message `body` throws, run on another thread; nil when it does not return in time.
    func messageWithin10Seconds(_ body: @escaping @Sendable () throws -> Void) -> String? {
        final class Result: @unchecked Sendable { var message = "no error" }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try body() } catch { result.message = "\(error)" }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return result.message
    }

    func testFIFOIsRefusedWithoutBlocking() throws {
        let path = NSTemporaryDirectory() + "dscript-fifo-\(getpid())"
        unlink(path)
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        defer { unlink(path) }
        XCTAssertEqual(messageWithin10Seconds { _ = try MappedFile(path: path) }, "not a regular file")
        XCTAssertEqual(messageWithin10Seconds { _ = try Safetensors.read(path: path) }, "\(path): not a regular file")
        XCTAssertEqual(messageWithin10Seconds { _ = try Npy.read(path: path) }, "\(path): not a regular file")
    }
}
