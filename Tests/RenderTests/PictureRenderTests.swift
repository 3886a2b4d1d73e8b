import DSEngine
import Foundation
import XCTest
@testable import DSRender

/// Snapshot tests: the exact text of small pictures drawn in the terminal.
final class PictureRenderTests: XCTestCase {
    /// A 4×4 gradient 0, 1/15, ..., 1: pixel k is grey 17k.
    let gradient = Tensor(shape: [4, 4], scalars: (0..<16).map { Float($0) / 15 })

    func testShowGradientInShades() throws {
        let text = try PictureRenderer.render(gradient, scale: 1, color: false)
        // Cell (x, row pair r) is the mean of greys 17(8r + x) and 17(8r + x + 4) on a 10-step ramp.
        XCTAssertEqual(text, "..:-\n*##%\n")
        // Automatic scale for a 4-pixel-wide picture: 4× (16 columns, 8 lines).
        let big = try PictureRenderer.render(gradient, color: false)
        XCTAssertEqual(big.split(separator: "\n").count, 8)
        XCTAssertEqual(big.split(separator: "\n").last, "####%%%%@@@@@@@@")
    }

    func testShowGradientInHalfBlocks() throws {
        let text = try PictureRenderer.render(gradient, scale: 1, color: true)
        var want = ""
        for pair in 0..<2 {
            for x in 0..<4 {
                let top = 17 * (8 * pair + x), bottom = 17 * (8 * pair + x + 4)
                want += "\u{1B}[38;2;\(top);\(top);\(top)m\u{1B}[48;2;\(bottom);\(bottom);\(bottom)m▀"
            }
            want += "\u{1B}[0m\n"
        }
        XCTAssertEqual(text, want)
    }

    func testPixelsAreTheGridShowDraws() throws {
        // Pixel k of the gradient is grey 17k; by default tiny pictures grow towards 128 px, at most 16×.
        let exact = try PictureRenderer.pixels(gradient, scale: 1)
        XCTAssertEqual([exact.width, exact.height], [4, 4])
        XCTAssertEqual(stride(from: 0, to: exact.bytes.count, by: exact.channels).map { Int(exact.bytes[$0]) }, (0..<16).map { 17 * $0 })
        let enlarged = try PictureRenderer.pixels(gradient)
        XCTAssertEqual([enlarged.width, enlarged.height], [64, 64])
        XCTAssertThrowsError(try PictureRenderer.pixels(gradient, scale: 17))
    }

    func testOddHeightAndRepeatedColours() {
        // Three rows of one red pixel: the second line has no lower pixel, so no background.
        let red = PixelImage(width: 2, height: 3, channels: 3, bytes: [UInt8](repeating: 0, count: 18).enumerated().map { $0.offset % 3 == 0 ? 255 : 0 })
        XCTAssertEqual(PictureRenderer.halfBlocks(red),
                       "\u{1B}[38;2;255;0;0m\u{1B}[48;2;255;0;0m▀▀\u{1B}[0m\n\u{1B}[38;2;255;0;0m▀▀\u{1B}[0m\n")
    }

    func testBatchGridAndErrors() throws {
        let batch = Tensor(shape: [3, 1, 2, 2], scalars: [Float](repeating: 1, count: 12))
        // Two per row, 1 px black padding: 5×5 pixels → 3 lines of 5 cells at scale 1.
        let text = try PictureRenderer.render(batch, nrow: 2, scale: 1, color: false)
        XCTAssertEqual(text, "@@ @@\n==\n@@\n")  // padding rows and the empty slot are black
        XCTAssertThrowsError(try PictureRenderer.render(Tensor(shape: [2, 2, 2, 2, 2], scalars: [Float](repeating: 0, count: 32)), color: false))
        XCTAssertThrowsError(try PictureRenderer.render(gradient, scale: 0, color: false))
    }

    func testKittyProtocolCarriesThePNG() throws {
        var state: UInt32 = 12345  // noise (a linear congruential generator), so the PNG needs several chunks
        let noise = (0..<64 * 64 * 3).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        let picture = PixelImage(width: 64, height: 64, channels: 3, bytes: noise)
        let text = try PictureRenderer.kitty(picture)
        XCTAssertTrue(text.hasPrefix("\u{1B}_Ga=T,f=100,m=1;iVBORw0KGgo"))
        XCTAssertTrue(text.hasSuffix("\u{1B}\\\n"))
        // Chunks of at most 4096 base64 characters; the payload decodes to the same picture.
        var payload = ""
        for piece in text.dropLast().components(separatedBy: "\u{1B}\\") where !piece.isEmpty {
            let data = piece[piece.index(after: piece.firstIndex(of: ";")!)...]
            XCTAssertLessThanOrEqual(data.count, 4096)
            payload += data
        }
        let png = try XCTUnwrap(Data(base64Encoded: payload))
        XCTAssertEqual(try [UInt8](png).withUnsafeBytes { try PNGCodec.decode($0) }, picture)
        XCTAssertTrue(PictureRenderer.kittyTerminal(["TERM": "xterm-kitty"]))
        XCTAssertFalse(PictureRenderer.kittyTerminal(["TERM": "xterm-256color"]))
    }
}
