import DSEngine
import DSLanguage
import DSRender
import Foundation

/// Picture built-ins (docs/builtins.md § Files, pictures and data): `show` draws image tensors in the
/// terminal; `save_png`, `load_png` and `load_png_folder` move them to and from PNG files.
enum PictureLibrary {
    static let table: [Builtin] = [
        Builtin("show(img, nrow = 8, scale = nil, range = nil, color = nil, kitty = nil)",
                "draws an image [H, W], [C, H, W] or a batch [N, C, H, W] as a grid in the terminal (24-bit colour half blocks; grey shades without colour; kitty graphics in kitty)",
                example: "show(shapes(16), nrow: 8)") { a, c in
            let t = try a.tensor("img")
            if RichOutput.of(c) != nil {
                let grid = try ImageGrid.render(t, nrow: try a.int("nrow"), padding: 2, range: try a.imageRange())
                let scale = try a.has("scale") ? a.int("scale") : nil
                if try RichDisplay.picture(grid, scale: scale, context: c) { return .null }
            }
            let color = try a.bool("color", default: PictureLibrary.colorful(c))
            let text = try PictureRenderer.render(
                t, nrow: try a.int("nrow"), scale: try a.has("scale") ? a.int("scale") : nil,
                range: try a.imageRange(), color: color,
                kitty: try a.bool("kitty", default: color && PictureLibrary.colorful(c) && PictureRenderer.kittyTerminal()))
            c.write(text)
            return .null
        },
        Builtin("save_png(path, img, nrow = 8, range = nil)",
                "writes an image or a batch grid to a PNG file (8-bit grey or RGB; values in [0, 1] or [-1, 1] scaled as show does)",
                example: "save_png(\"samples.png\", x, nrow: 4)") { a, _ in
            let path = try a.string("path")
            let picture = try ImageGrid.render(
                try a.tensor("img"), nrow: try a.int("nrow"), padding: 2, range: try a.imageRange())
            try PNGCodec.write(picture, path: path)
            return .null
        },
        Builtin("load_png(path, channels = nil, range = [0, 1])",
                "reads a PNG file as a [C, H, W] tensor (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; channels: forces one) with values in range",
                example: "let img = load_png(\"cat.png\", channels: 3, range: [-1, 1])") { a, _ in
            let path = try a.string("path")
            let channels = try a.pngChannels()
            let (lo, hi) = try a.valueRange()
            let picture = try PNGCodec.read(path: path, channels: channels)
            return .tensor(ImageGrid.tensor(from: picture, lo: lo, hi: hi))
        },
        Builtin("load_png_folder(dir, channels = nil, range = [0, 1])",
                "reads every .png file of a folder (sorted by name) as one batch [N, C, H, W]; all images must have the same size",
                example: "let data = load_png_folder(\"faces/\", channels: 1, range: [-1, 1])") { a, _ in
            let dir = try a.string("dir")
            let channels = try a.pngChannels()
            let (lo, hi) = try a.valueRange()
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: dir)
                    .filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }.sorted()
            } catch {
                throw ScriptError("load_png_folder: cannot list folder \(dir)")
            }
            guard !names.isEmpty else { throw ScriptError("load_png_folder: no .png files in \(dir)") }
            var scalars: [Float] = []
            var shape: [Int] = []
            for name in names {
                let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                var picture = try PNGCodec.read(path: path, channels: channels)
                if let first = shape.first, picture.channels != first, channels == nil {
                    // Mixed files: bring later ones to the first file's channel count.
                    picture = try PNGCodec.read(path: path, channels: first)
                }
                let t = ImageGrid.tensor(from: picture, lo: lo, hi: hi)
                if shape.isEmpty {
                    shape = t.shape
                    try TensorConversion.checkShape([names.count] + shape, function: a.functionName)
                    try Tensor.reserve(names.count * t.count, [names.count] + shape)
                    scalars.reserveCapacity(names.count * t.count)
                } else if t.shape != shape {
                    throw ScriptError("load_png_folder: \(name) is \(t.shape[2])×\(t.shape[1]) with \(t.shape[0]) channels, but the first image is \(shape[2])×\(shape[1]) with \(shape[0])")
                }
                scalars.append(contentsOf: t.scalars)
            }
            return .tensor(Tensor(shape: [names.count] + shape, scalars: scalars))
        },
    ]

    /// Whether pictures use colour by default: colour is on and standard output is a terminal.
    static func colorful(_ context: CallContext) -> Bool {
        context.settings.color && context.settings.interactiveOutputStream
    }
}

extension Arguments {
    /// `range: [lo, hi]` for pictures (nil or `"auto"`: detect [-1, 1], [0, 1] or min–max).
    func imageRange(_ name: String = "range") throws -> ImageRange {
        guard let v = optional(name) else { return .auto }
        if case .string("auto") = v { return .auto }
        let (lo, hi) = try valueRange(name)
        return .fixed(lo, hi)
    }

    /// A `[lo, hi]` pair with lo < hi (the signature's default, else [0, 1]).
    func valueRange(_ name: String = "range") throws -> (Float, Float) {
        let position = position(of: name)
        guard has(position, name) else { return (0, 1) }
        let v = try value(position, name)
        guard case .list(let l) = v, l.items.count == 2, case .number(let lo) = l.items[0], case .number(let hi) = l.items[1] else {
            throw error(position, name, "a list [low, high] expected")
        }
        guard lo < hi, lo.isFinite, hi.isFinite else { throw error(position, name, "low must be below high") }
        return (Float(lo), Float(hi))
    }

    /// An optional PNG channel count (1, 2, 3 or 4).
    func pngChannels(_ name: String = "channels") throws -> Int? {
        guard has(name) else { return nil }
        let n = try int(name)
        guard (1...4).contains(n) else { throw error(name, "1, 2, 3 or 4 expected, got \(n)") }
        return n
    }
}
