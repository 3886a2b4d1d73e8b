import DSEngine
import Foundation
import DSLanguage
import XCTest
import DSShell
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

    func testLoadPNGFolderMakesOneBatch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dscript-folder-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = BindingTestContext()
        for (i, v) in [0.0, 0.5, 1.0].enumerated() {
            let img = Value.tensor(Tensor(shape: [1, 2, 3], scalars: [Float](repeating: Float(v), count: 6)))
            _ = try c.global("save_png", [.string(dir.appendingPathComponent("img\(i).png").path), img], [("range", list([0, 1]))])
        }
        try Data("not a png".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let batch = try c.global("load_png_folder", [.string(dir.path)], [("range", list([-1, 1]))]).tensorValue
        XCTAssertEqual(batch?.shape, [3, 1, 2, 3])
        XCTAssertEqual(batch?.scalars[0], -1)
        XCTAssertEqual(batch?.scalars[6] ?? 0, 128 / 255 * 2 - 1, accuracy: 1e-6)
        XCTAssertEqual(batch?.scalars[17], 1)
        // A picture of another size is refused with both sizes named.
        _ = try c.global("save_png", [.string(dir.appendingPathComponent("z.png").path), .tensor(Tensor(shape: [4, 4], scalars: [Float](repeating: 0, count: 16)))])
        XCTAssertScriptError("z.png is 4×4 with 1 channels, but the first image is 3×2 with 1") {
            try c.global("load_png_folder", [.string(dir.path)])
        }
        XCTAssertScriptError("no .png files") { try c.global("load_png_folder", [.string("/")]) }
    }

    /// A native object with a `plot` method, as a schedule has.
    final class Plottable: NativeObject {
        var typeName: String { "plottable" }
        var plotted: [Value] = []
        func member(_ name: String, context: CallContext) throws -> Value? {
            guard name == "plot" else { return nil }
            return .builtin(BuiltinFunction(Builtin("plottable.plot(every = 1)", "test") { [unowned self] a, _ in
                self.plotted.append(a.optional(0, "every") ?? .null)
                return .string("drawn")
            }))
        }
    }

    func testPlotDelegatesToAPlotMethod() throws {
        let c = BindingTestContext()
        let object = Plottable()
        guard case .string("drawn") = try c.global("plot", [.native(object)], [("every", .number(10))]) else {
            return XCTFail("plot should return what the object's plot method returns")
        }
        guard object.plotted.count == 1, case .number(10) = object.plotted[0] else { return XCTFail("\(object.plotted)") }
    }

    /// An object with the fields of a noise schedule (linear betas 1e-4 … 0.02, T = 1000).
    final class FakeSchedule: NativeObject {
        var typeName: String { "schedule" }
        func member(_ name: String, context: CallContext) throws -> Value? {
            let betas = (0..<1000).map { 1e-4 + (0.02 - 1e-4) * Double($0) / 999 }
            var product = 1.0
            let alphaBar = betas.map { b -> Double in product *= 1 - b; return product }
            switch name {
            case "betas": return .tensor(Tensor(shape: [1000], scalars: betas.map(Float.init)))
            case "alpha_bar": return .tensor(Tensor(shape: [1000], scalars: alphaBar.map(Float.init)))
            default: return nil
            }
        }
    }

    func testPlotOfAScheduleDrawsItsQuantities() throws {
        let c = BindingTestContext()
        _ = try c.global("plot", [.native(FakeSchedule())], [("width", .number(40)), ("height", .number(8))])
        XCTAssertTrue(c.output.contains("⣿ ᾱ_t   • β_t / 0.02   × log SNR"), c.output)
        XCTAssertTrue(c.output.hasPrefix("     schedule against t"), c.output)
        XCTAssertTrue(c.output.contains("\n     0                  500\n"), c.output)
        XCTAssertScriptError("optimizer cannot be plotted") {
            let opt = try c.global("sgd", [.list(ListObject([.tensor(Tensor(shape: [1], scalars: [0]))]))], [("lr", .number(0.1))])
            return try c.global("plot", [opt])
        }
    }
}

/// `plot(s)` of a real schedule: β_t stays visible where β̃_t lies on it (the chart without colour).
final class SchedulePlotTests: XCTestCase {
    func testBetaIsDrawnOverThePosteriorVariance() throws {
        let output = StringSink()
        let interpreter = InterpreterSetup.make(settings: RuntimeSettings(), output: output, errorOutput: StringSink())
        try interpreter.run(Source(name: "t", text: "plot(schedule(\"linear\"))"))
        let first = output.text.components(separatedBy: "log SNR(t)")[0]
        XCTAssertTrue(first.contains("⣿ ᾱ_t   • β̃_t   × β_t"), first)
        XCTAssertGreaterThan(first.filter { $0 == "×" }.count, 40, first)  // β_t across the chart
        XCTAssertGreaterThan(first.filter { $0 == "•" }.count, 1, first)  // β̃_t where it leaves β_t (small t)
    }
}
