import DSEngine

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

    /// The automatic upscaling factor: pictures narrower than 32 pixels are enlarged (at most 4×)
    /// towards 32 columns. (A half-block pixel is already about square on screen.)
    public static func automaticScale(width: Int) -> Int {
        Swift.max(1, Swift.min(4, 32 / Swift.max(1, width)))
    }

    /// The picture of a tensor, rendered as `show` prints it.
    public static func render(
        _ tensor: Tensor, nrow: Int = 8, scale: Int? = nil, range: ImageRange = .auto, color: Bool
    ) throws -> String {
        let grid = try ImageGrid.render(tensor, nrow: nrow, padding: 1, range: range)
        let factor = scale ?? automaticScale(width: grid.width)
        guard (1...16).contains(factor) else { throw TensorError("scale must be 1…16, got \(factor)") }
        let picture = ImageGrid.upscale(grid, by: factor)
        return color ? halfBlocks(picture) : shades(picture)
    }
}
