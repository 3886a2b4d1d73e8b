import DSEngine
import Foundation

/// Draws 8-bit pictures as terminal text. Pure functions from pixels to a `String`, so tests pin
/// the exact output; `show` prints what they return.
///
/// - `halfBlocks`: each character cell holds two pixels, one above the other: `▀` with the upper
///   pixel as 24-bit foreground and the lower one as background.
/// - `shades`: no colour; each cell is the mean grey of its two pixels on a ten-step ASCII ramp.
public enum PictureRenderer {
    /// Dark to light.
    public static let ramp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// Rec. 601 luma of a pixel.
    @inline(__always)
    static func luma(_ p: (UInt8, UInt8, UInt8)) -> Double {
        0.299 * Double(p.0) + 0.587 * Double(p.1) + 0.114 * Double(p.2)
    }

    /// The picture in 24-bit colour half blocks, one line per two pixel rows, each line ending
    /// with a reset (`ESC[0m`) and a newline.
    public static func halfBlocks(_ picture: PixelImage) -> String {
        var out = ""
        out.reserveCapacity(picture.width * (picture.height / 2 + 1) * 40)
        var y = 0
        while y < picture.height {
            var lastTop: (UInt8, UInt8, UInt8)? = nil
            var lastBottom: (UInt8, UInt8, UInt8)? = nil
            for x in 0..<picture.width {
                let top = picture.rgb(x, y)
                if lastTop.map({ $0 != top }) ?? true {
                    out += "\u{1B}[38;2;\(top.0);\(top.1);\(top.2)m"
                    lastTop = top
                }
                if y + 1 < picture.height {
                    let bottom = picture.rgb(x, y + 1)
                    if lastBottom.map({ $0 != bottom }) ?? true {
                        out += "\u{1B}[48;2;\(bottom.0);\(bottom.1);\(bottom.2)m"
                        lastBottom = bottom
                    }
                }
                out += "▀"
            }
            out += "\u{1B}[0m\n"
            y += 2
        }
        return out
    }

    /// The picture as grey shades without colour, one line per two pixel rows.
    public static func shades(_ picture: PixelImage) -> String {
        var out = ""
        var y = 0
        while y < picture.height {
            var line = ""
            for x in 0..<picture.width {
                var level = luma(picture.rgb(x, y))
                if y + 1 < picture.height { level = (level + luma(picture.rgb(x, y + 1))) / 2 }
                let step = Swift.min(ramp.count - 1, Int(level / 256 * Double(ramp.count)))
                line.append(ramp[step])
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
            y += 2
        }
        return out
    }

    /// The widest picture drawn without shrinking (columns).
    public static let maxColumns = 160

    /// The automatic upscaling factor: pictures narrower than 32 pixels are enlarged (at most 4×)
    /// towards 32 columns. (A half-block pixel is already about square on screen.)
    public static func automaticScale(width: Int) -> Int {
        Swift.max(1, Swift.min(4, 32 / Swift.max(1, width)))
    }

    /// The picture of a tensor, rendered as `show` prints it.
    public static func render(
        _ tensor: Tensor, nrow: Int = 8, scale: Int? = nil, range: ImageRange = .auto, color: Bool, kitty: Bool = false
    ) throws -> String {
        if kitty { return try self.kitty(pixels(tensor, nrow: nrow, scale: scale, range: range)) }
        let grid = try ImageGrid.render(tensor, nrow: nrow, padding: 1, range: range)
        try checkScale(scale)
        if scale == nil, grid.width > maxColumns {
            // Too wide for a terminal: shrink by whole factors (block means) to fit.
            let picture = ImageGrid.downscale(grid, by: (grid.width + maxColumns - 1) / maxColumns)
            return color ? halfBlocks(picture) : shades(picture)
        }
        let picture = ImageGrid.upscale(grid, by: scale ?? automaticScale(width: grid.width))
        return color ? halfBlocks(picture) : shades(picture)
    }

    /// The picture of a tensor as real pixels (for the kitty protocol, PNG files and notebooks):
    /// the grid `show` draws, tiny pictures enlarged to about 128 pixels across unless `scale` is given.
    public static func pixels(_ tensor: Tensor, nrow: Int = 8, scale: Int? = nil, range: ImageRange = .auto) throws -> PixelImage {
        let grid = try ImageGrid.render(tensor, nrow: nrow, padding: 1, range: range)
        try checkScale(scale)
        let factor = scale ?? Swift.max(1, Swift.min(16, 128 / Swift.max(1, grid.width)))
        return ImageGrid.upscale(grid, by: factor)
    }

    static func checkScale(_ scale: Int?) throws {
        if let scale { guard (1...16).contains(scale) else { throw TensorError("scale must be 1…16, got \(scale)") } }
    }

    /// The picture in the kitty graphics protocol: a PNG sent in base64 chunks of 4096 bytes.
    public static func kitty(_ picture: PixelImage) throws -> String {
        let payload = Array(Data(try PNGCodec.encode(picture)).base64EncodedString().utf8)
        var out = ""
        var start = 0
        repeat {
            let end = Swift.min(payload.count, start + 4096)
            let more = end < payload.count ? 1 : 0
            let control = start == 0 ? "a=T,f=100,m=\(more)" : "m=\(more)"
            out += "\u{1B}_G\(control);" + String(decoding: payload[start..<end], as: UTF8.self) + "\u{1B}\\"
            start = end
        } while start < payload.count
        return out + "\n"
    }

    /// Whether the environment says the terminal is kitty (`TERM=xterm-kitty` or `KITTY_WINDOW_ID`).
    public static func kittyTerminal(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["KITTY_WINDOW_ID"] != nil || (environment["TERM"] ?? "").contains("kitty")
    }
}
