import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (a real SIGINT to a real process on a pseudo-terminal) during long native operations: a
/// chain of 4000² products, a big convolution, attention, a sampler. The script stops with
/// "interrupted" at the operation (not at the next loop turn) and status 130; the REPL comes back
/// with every variable as it was.
final class InterruptTests: XCTestCase {
    typealias Terminal = TerminalSessionTests.Terminal

    /// Seconds on a monotonic clock.
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Runs `setup`, prints "ready", then runs `operation` forever; sends SIGINT 0.3 s after "ready".
    /// Returns the transcript and the seconds from the signal to the "interrupted" message.
    func interrupt(setup: String, operation: String) throws -> (transcript: String, seconds: Double) {
        let folder = try temporaryFolder(self)
        let path = try writeFile(folder, "long.dscript", setup + "\nprint(\"ready\")\nwhile true { let r = \(operation) }\n")
        let terminal = try Terminal(home: folder.path, arguments: ["--no-color", "-q", path])
        XCTAssertTrue(terminal.readUntil(patience: 120_000) { $0.contains("ready") }, terminal.transcript)
        usleep(300_000)
        let sent = Self.now()
        kill(terminal.process.processIdentifier, SIGINT)
        XCTAssertTrue(terminal.readUntil(patience: 60_000) { $0.contains("interrupted") }, terminal.transcript)
        let seconds = Self.now() - sent
        terminal.process.waitUntilExit()
        XCTAssertEqual(terminal.process.terminationStatus, 130, terminal.transcript)
        // The error points at the operation: the native call returned early and the interpreter
        // raised the interrupt before its incomplete result was used, not at the loop's next turn.
        XCTAssertTrue(terminal.transcript.contains("long.dscript:\(setup.split(separator: "\n").count + 2):22: error: interrupted"),
                      terminal.transcript)
        return (terminal.transcript, seconds)
    }

    func testCtrlCStopsAProductWithinIt() throws {
        // One product of 4000² matrices is 64·10⁹ multiply-adds: several hundred ms on two cores.
        let setup = "let a = randn([4000, 4000]) / 63\nlet t0 = clock()\nlet p = a @ a\nprint(\"product\", clock() - t0)"
        let (transcript, seconds) = try interrupt(setup: setup, operation: "a @ a @ a @ a")
        let line = transcript.split(whereSeparator: \.isNewline).first { $0.hasPrefix("product") } ?? ""
        let product = try XCTUnwrap(Double(line.split(separator: " ").last ?? ""), transcript)
        // It stopped inside a product, well before the product would have ended (its pieces take
        // ~10 ms; a product finishing first would take half a product on average).
        XCTAssertLessThan(seconds, 0.25 * product + 0.05, "Ctrl-C took \(seconds) s; one product takes \(product) s")
    }

    func testCtrlCStopsConvolutionAttentionAndSampler() throws {
        let cases = [
            ("let c = conv2d(128, 128, 3, padding: 1)\nlet x = randn([16, 128, 64, 64])", "c(x)"),
            ("let q = randn([8, 4096, 32])", "attention(q, q, q)"),
            ("""
             let u = unet({sample_size: 32, in_channels: 3, out_channels: 3, block_out_channels: [64, 128],
                 down_block_types: ["DownBlock2D", "AttnDownBlock2D"], up_block_types: ["AttnUpBlock2D", "UpBlock2D"]})
             let s = schedule("linear")
             """, "ddim_sample(u, s, shape: [4, 3, 32, 32], steps: 1000)"),
        ]
        for (setup, operation) in cases {
            let (_, seconds) = try interrupt(setup: setup, operation: operation)
            XCTAssertLessThan(seconds, 5, "\(operation): Ctrl-C took \(seconds) s")
        }
    }

    func testCtrlCInTheREPLKeepsEveryVariable() throws {
        let home = try temporaryFolder(self)
        let terminal = try Terminal(home: home.path)
        XCTAssertTrue(terminal.waitForPrompt(1), terminal.transcript)
        XCTAssertTrue(terminal.enter("let a = randn([3000, 3000]) / 55; let c = 7; a.shape", expecting: "[3000, 3000]", prompt: 2),
                      terminal.transcript)
        // A new variable and an existing one, each assigned from a chain of products.
        for (prompt, line) in [(3, "let d = a @ a @ a @ a @ a @ a @ a @ a"), (4, "c = a @ a @ a @ a @ a @ a @ a @ a")] {
            terminal.send(line + "\r")
            XCTAssertTrue(terminal.waitFor(line), terminal.transcript)
            usleep(300_000)
            kill(terminal.process.processIdentifier, SIGINT)
            XCTAssertTrue(terminal.readUntil(patience: 60_000) { $0.components(separatedBy: "interrupted").count > prompt - 2 },
                          terminal.transcript)
            XCTAssertTrue(terminal.waitForPrompt(prompt), terminal.transcript)
        }
        XCTAssertTrue(terminal.enter("print(c, a.shape)", expecting: "7 [3000, 3000]", prompt: 5), terminal.transcript)
        XCTAssertTrue(terminal.enter("d", expecting: "undefined", prompt: 6), terminal.transcript)
        terminal.send("\u{04}")
        terminal.process.waitUntilExit()
        XCTAssertEqual(terminal.process.terminationStatus, 0, terminal.transcript)
    }
}
