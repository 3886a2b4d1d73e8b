import Foundation
import XCTest
@testable import DSEngine

/// PNG reading against files written by Pillow (`Tests/Fixtures/pictures`, made by
/// `/work/venv-ref/bin/python scripts/make-png-fixtures.py`), hostile files, and round trips.
final class PNGCodecTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pictures")

    struct Expected {
        var width: Int, height: Int, channels: Int, bits: Int, pixels: [Int]
    }

    static func expected() throws -> (files: [String: Expected], hostile: [String]) {
        let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = root["files"] as? [String: [String: Any]],
              let hostile = root["hostile"] as? [String: String] else {
            throw NSError(domain: "fixture", code: 1)
        }
        var out: [String: Expected] = [:]
        for (name, f) in files {
            out[name] = Expected(width: f["width"] as? Int ?? 0, height: f["height"] as? Int ?? 0,
                                 channels: f["channels"] as? Int ?? 0, bits: f["bits"] as? Int ?? 8,
                                 pixels: f["pixels"] as? [Int] ?? [])
        }
        return (out, hostile.keys.sorted())
    }

    func testFixturesDecodeToPillowPixels() throws {
        let (files, _) = try PNGCodecTests.expected()
        XCTAssertEqual(files.count, 6)
        for (name, want) in files.sorted(by: { $0.key < $1.key }) {
            let picture = try PNGCodec.read(path: PNGCodecTests.folder.appendingPathComponent(name).path)
            XCTAssertEqual(picture.width, want.width, name)
            XCTAssertEqual(picture.height, want.height, name)
            XCTAssertEqual(picture.channels, want.channels, name)
            if want.bits == 16 {
                // 16-bit values are scaled to 8 bits: v / 257, rounded.
                let scaled = want.pixels.map { Int((Double($0) / 257).rounded()) }
                XCTAssertEqual(picture.bytes.map(Int.init), scaled, name)
            } else {
                XCTAssertEqual(picture.bytes.map(Int.init), want.pixels, name)
            }
        }
    }

    func testForcedChannelsConvert() throws {
        let rgb = try PNGCodec.read(path: PNGCodecTests.folder.appendingPathComponent("grey8.png").path, channels: 3)
        XCTAssertEqual(rgb.channels, 3)
        let grey = try PNGCodec.read(path: PNGCodecTests.folder.appendingPathComponent("grey8.png").path)
        for p in 0..<grey.width * grey.height {
            XCTAssertEqual(rgb.bytes[3 * p], grey.bytes[p])
            XCTAssertEqual(rgb.bytes[3 * p + 2], grey.bytes[p])
        }
    }

    func testHostileFilesAreRefused() throws {
        let (_, hostile) = try PNGCodecTests.expected()
        XCTAssertEqual(hostile.count, 7)
        for name in hostile {
            let path = PNGCodecTests.folder.appendingPathComponent(name).path
            XCTAssertThrowsError(try PNGCodec.read(path: path), name) { error in
                guard let e = error as? FormatError else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(e.message.hasPrefix(path + ": "), e.message)
            }
        }
        XCTAssertThrowsError(try PNGCodec.read(path: PNGCodecTests.folder.appendingPathComponent("huge.png").path)) { error in
            XCTAssertTrue("\(error)".contains("100000×100000 pixels refused"), "\(error)")
        }
        XCTAssertThrowsError(try PNGCodec.read(path: PNGCodecTests.folder.appendingPathComponent("badcrc.png").path)) { error in
            XCTAssertTrue("\(error)".contains("CRC"), "\(error)")
        }
    }

    func testGarbageAndEmptyInputs() {
        let empty: [UInt8] = []
        XCTAssertThrowsError(try empty.withUnsafeBytes { try PNGCodec.decode($0) })
        let text = Array("hello, this is not a png file".utf8)
        XCTAssertThrowsError(try text.withUnsafeBytes { try PNGCodec.decode($0) }) { error in
            XCTAssertEqual("\(error)", "not a PNG file (bad signature)")
        }
        XCTAssertThrowsError(try PNGCodec.read(path: "/nonexistent/dir/x.png"))
    }

    func testRoundTripEveryChannelCount() throws {
        for channels in 1...4 {
            let w = 7, h = 3
            let bytes = (0..<w * h * channels).map { UInt8(($0 * 37 + channels) % 256) }
            let picture = PixelImage(width: w, height: h, channels: channels, bytes: bytes)
            let encoded = try PNGCodec.encode(picture)
            XCTAssertEqual(Array(encoded.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            let back = try encoded.withUnsafeBytes { try PNGCodec.decode($0) }
            XCTAssertEqual(back, picture, "channels \(channels)")
        }
        XCTAssertThrowsError(try PNGCodec.encode(PixelImage(width: 2, height: 2, channels: 5)))
        XCTAssertThrowsError(try PNGCodec.encode(PixelImage(width: 2, height: 2, channels: 1, bytes: [1, 2, 3])))
    }

    func testAtomicWriteLeavesNoTemporaryFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-png-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.png").path
        let picture = PixelImage(width: 4, height: 2, channels: 3, bytes: (0..<24).map { UInt8($0 * 10) })
        try PNGCodec.write(picture, path: path)
        try PNGCodec.write(picture, path: path)  // replaces
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.png"])
        XCTAssertEqual(try PNGCodec.read(path: path), picture)
        XCTAssertThrowsError(try PNGCodec.write(picture, path: dir.appendingPathComponent("missing/x.png").path))
    }

    // MARK: Image grids

    func testLayoutOfImageShapes() throws {
        XCTAssertEqual(try ImageGrid.layout(of: [4, 5]), .init(count: 1, channels: 1, height: 4, width: 5))
        XCTAssertEqual(try ImageGrid.layout(of: [3, 4, 5]), .init(count: 1, channels: 3, height: 4, width: 5))
        XCTAssertEqual(try ImageGrid.layout(of: [7, 4, 5]), .init(count: 7, channels: 1, height: 4, width: 5))
        XCTAssertEqual(try ImageGrid.layout(of: [2, 1, 4, 5]), .init(count: 2, channels: 1, height: 4, width: 5))
        XCTAssertThrowsError(try ImageGrid.layout(of: [2, 2, 4, 5]))
        XCTAssertThrowsError(try ImageGrid.layout(of: [5]))
        XCTAssertThrowsError(try ImageGrid.layout(of: [0, 4]))
    }

    func testRangeDetection() {
        XCTAssertTrue(ImageRange.auto.bounds(of: [0, 0.5, 1]) == (0, 1))
        XCTAssertTrue(ImageRange.auto.bounds(of: [-0.2, 0.5]) == (-1, 1))
        XCTAssertTrue(ImageRange.auto.bounds(of: [0, 255]) == (0, 255))
        XCTAssertTrue(ImageRange.auto.bounds(of: [3, 3]) == (2.5, 3.5))
        XCTAssertTrue(ImageRange.auto.bounds(of: [.nan]) == (0, 1))
        XCTAssertTrue(ImageRange.fixed(-2, 2).bounds(of: [0]) == (-2, 2))
    }

    func testGridPlacesImagesWithPadding() throws {
        // Three 2×2 grey images in [0, 1], two per row, padding 1: a 5×5 grid.
        let scalars: [Float] = [0, 0, 0, 0, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5]
        let grid = try ImageGrid.render(Tensor(shape: [3, 1, 2, 2], scalars: scalars), nrow: 2, padding: 1)
        XCTAssertEqual(grid.width, 5)
        XCTAssertEqual(grid.height, 5)
        XCTAssertEqual(grid.bytes, [
            0, 0, 0, 255, 255,
            0, 0, 0, 255, 255,
            0, 0, 0, 0, 0,
            128, 128, 0, 0, 0,
            128, 128, 0, 0, 0,
        ])
        // [-1, 1] values: -1 black, 1 white, 0 mid grey (127.5 rounds up).
        let signed = try ImageGrid.render(Tensor(shape: [1, 3], scalars: [-1, 0, 1]))
        XCTAssertEqual(signed.bytes, [0, 128, 255])
        XCTAssertEqual(ImageGrid.upscale(signed, by: 2).bytes, [0, 0, 128, 128, 255, 255, 0, 0, 128, 128, 255, 255])
    }

    func testDownscaleAveragesBlocks() {
        // 5×1 grey by 2: blocks [0, 10], [20, 31], [40] → 5, 26 (25.5 rounds up), 40.
        let picture = PixelImage(width: 5, height: 1, channels: 1, bytes: [0, 10, 20, 31, 40])
        XCTAssertEqual(ImageGrid.downscale(picture, by: 2).bytes, [5, 26, 40])
        XCTAssertEqual(ImageGrid.downscale(picture, by: 1), picture)
    }

    func testTensorFromPicture() {
        let picture = PixelImage(width: 2, height: 1, channels: 3, bytes: [0, 51, 255, 255, 0, 102])
        let t = ImageGrid.tensor(from: picture, lo: -1, hi: 1)
        XCTAssertEqual(t.shape, [3, 1, 2])
        XCTAssertEqual(t.scalars[0], -1)
        XCTAssertEqual(t.scalars[1], 1)
        XCTAssertEqual(t.scalars[2], -1 + 51 * 2 / 255, accuracy: 1e-6)
        XCTAssertEqual(t.scalars[4], 1)
    }
}
