import DSEngine
import DSLanguage
import XCTest
@testable import DSBindings

/// Image data sets, PNG built-ins and the progress object through the binding tables.
final class PictureDataTests: XCTestCase {
    func testShapesAreSeededAndInRange() throws {
        let a = try ImageDatasets.shapes(200, size: 16, generator: RandomGenerator(seed: 3))
        let b = try ImageDatasets.shapes(200, size: 16, generator: RandomGenerator(seed: 3))
        let c = try ImageDatasets.shapes(200, size: 16, generator: RandomGenerator(seed: 4))
        XCTAssertEqual(a.images.shape, [200, 1, 16, 16])
        XCTAssertEqual(a.images.scalars, b.images.scalars)
        XCTAssertNotEqual(a.images.scalars, c.images.scalars)
        XCTAssertTrue(a.images.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(Set(a.labels.scalars), [0, 1, 2])
        // Every image has background (-1) and a shape brighter than the background.
        for i in 0..<200 {
            let pixels = a.images.scalars[i * 256 ..< (i + 1) * 256]
            XCTAssertEqual(pixels.min(), -1)
            XCTAssertGreaterThanOrEqual(pixels.max() ?? -1, 0)
        }
        // A circle covers about π r² of the image; squares and triangles less of their circle.
        XCTAssertThrowsError(try ImageDatasets.shapes(1, size: 2, generator: RandomGenerator()))
        XCTAssertThrowsError(try ImageDatasets.shapes(-1, size: 16, generator: RandomGenerator()))
    }

    func testGlyphsDrawTheirDigit() throws {
        let g = try ImageDatasets.glyphs(300, size: 16, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(g.images.shape, [300, 1, 16, 16])
        XCTAssertEqual(Set(g.labels.scalars), Set((0..<10).map(Float.init)))
        // Mean ink per digit: "1" and "7" use less ink than "8" and "0" (same font, random sizes).
        var ink = [Double](repeating: 0, count: 10), count = [Double](repeating: 0, count: 10)
        for i in 0..<300 {
            let d = Int(g.labels.scalars[i])
            ink[d] += g.images.scalars[i * 256 ..< (i + 1) * 256].reduce(0) { $0 + Double($1 + 1) / 2 }
            count[d] += 1
        }
        let mean = zip(ink, count).map { $0 / $1 }
        XCTAssertLessThan(mean[1], mean[8])
        XCTAssertLessThan(mean[7], mean[8])
        XCTAssertLessThan(mean[1], mean[0])
    }

    func testFontStrokesJoinNeighbours() {
        // "7": the top bar is a chain of horizontal segments; the diagonal is joined by diagonal ones.
        let strokes = ImageDatasets.strokes(of: 7)
        XCTAssertTrue(strokes.contains { $0 == (0.5, 0.5, 1.5, 0.5) })
        XCTAssertTrue(strokes.contains { $0 == (4.5, 1.5, 3.5, 2.5) })
        XCTAssertEqual(ImageDatasets.font.count, 10)
        XCTAssertTrue(ImageDatasets.font.allSatisfy { $0.count == 7 && $0.allSatisfy { $0.count == 5 } })
    }

    func testBuiltinsThroughContext() throws {
        let c = BindingTestContext()
        let d = try c.global("shapes", [.number(8)], [("size", .number(8)), ("labels", .bool(true))])
        guard case .dict(let dict) = d, let images = dict.entries["images"]?.tensorValue else { return XCTFail("dict expected") }
        XCTAssertEqual(images.shape, [8, 1, 8, 8])
        _ = try c.global("show", [.tensor(images)], [("nrow", .number(4)), ("scale", .number(1))])
        // 4 images of 8 px with 1 px padding: 35 columns; 2 rows of 8 px + 1: 17 px → 9 lines.
        let lines = c.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 9)
        XCTAssertScriptError("bad argument #1 to 'shapes' (integer expected, got 1.5)") {
            try c.global("shapes", [.number(1.5)])
        }
        XCTAssertScriptError("progress") { try c.global("progress", [.number(-3)]) }
    }

    func testProgressObjectMembers() throws {
        let c = BindingTestContext()
        let p = try c.global("progress", [.number(4)], [("desc", .string("x"))])
        _ = try c.method(p, "update", [.number(3)])
        _ = try c.method(p, "set", [], [("loss", .number(0.25))])
        guard case .native(let object as ProgressObject) = p else { return XCTFail("progress object expected") }
        XCTAssertEqual(object.bar.count, 3)
        XCTAssertEqual(object.bar.postfix, "loss=0.25")
        XCTAssertEqual(try object.elements(context: c)?.count, 4)
        _ = try c.method(p, "close")
        XCTAssertTrue(object.bar.isClosed)
    }
}
