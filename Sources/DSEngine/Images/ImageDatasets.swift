import Foundation

/// Small image data sets made in code, drawn from a seeded generator: `shapes` (circles, squares,
/// triangles) and `glyphs` (digit-like images from a built-in 5×7 bitmap font). Images are
/// `[n, 1, size, size]` in [-1, 1] (background -1); labels are the class of each image.
public enum ImageDatasets {
    /// The smallest and largest image side accepted.
    public static let sizeRange = 4...256

    static func check(_ n: Int, _ size: Int) throws {
        guard n >= 0 else { throw TensorError("the number of images must be non-negative, got \(n)") }
        guard sizeRange.contains(size) else {
            throw TensorError("image size must be \(sizeRange.lowerBound)…\(sizeRange.upperBound), got \(size)")
        }
        guard n <= (1 << 26) / (size * size) else { throw TensorError("\(n) images of \(size)×\(size) are too many") }
    }

    /// `n` images of `size`×`size` on the background: image `i` is drawn by `draw(&pixels, i, r)` from
    /// six uniform numbers `r` of its own, and `draw` returns its label.
    static func images(_ n: Int, size: Int, generator: RandomGenerator,
                       _ draw: (_ pixels: inout [Float], _ image: Int, _ r: [Double]) -> Float) throws
        -> (images: Tensor, labels: Tensor) {
        try check(n, size)
        let u = generator.uniform(n * 6).map(Double.init)
        var pixels = [Float](repeating: -1, count: n * size * size)
        var labels = [Float](repeating: 0, count: n)
        for i in 0..<n { labels[i] = draw(&pixels, i, Array(u[i * 6 ..< i * 6 + 6])) }
        return (Tensor(shape: [n, 1, size, size], scalars: pixels), Tensor(shape: [n], scalars: labels))
    }

    /// Draws each image's pixels by 2×2 supersampling of `coverage(x, y)` (x, y in pixels).
    /// Pixels outside `box` (x0, y0, x1, y1 in pixels) are left as background.
    static func paint(
        _ out: inout [Float], image: Int, size: Int, intensity: Float,
        box: (Double, Double, Double, Double)? = nil, _ coverage: (Double, Double) -> Bool
    ) {
        let base = image * size * size
        let offsets = [0.25, 0.75]
        let (x0, y0, x1, y1) = box ?? (0, 0, Double(size), Double(size))
        let xs = Swift.max(0, Int(x0.rounded(.down)))..<Swift.min(size, Swift.max(0, Int(x1.rounded(.up))))
        let ys = Swift.max(0, Int(y0.rounded(.down)))..<Swift.min(size, Swift.max(0, Int(y1.rounded(.up))))
        guard !xs.isEmpty, !ys.isEmpty else { return }
        for y in ys {
            for x in xs {
                var hits = 0
                for oy in offsets { for ox in offsets where coverage(Double(x) + ox, Double(y) + oy) { hits += 1 } }
                out[base + y * size + x] = -1 + 2 * intensity * Float(hits) / 4
            }
        }
    }

    /// `n` images of one random shape each: label 0 circle, 1 square, 2 triangle; random position,
    /// size, rotation and intensity (0.5…1 above the background).
    public static func shapes(_ n: Int, size: Int, generator: RandomGenerator) throws -> (images: Tensor, labels: Tensor) {
        let s = Double(size)
        return try images(n, size: size, generator: generator) { pixels, i, r in
            let kind = Swift.min(2, Int(r[0] * 3))
            let radius = s * (0.18 + 0.17 * r[1])
            let cx = radius + (s - 2 * radius) * r[2], cy = radius + (s - 2 * radius) * r[3]
            let angle = r[4] * 2 * Double.pi
            let intensity = Float(0.5 + 0.5 * r[5])
            let (ca, sa) = (cos(angle), sin(angle))
            paint(&pixels, image: i, size: size, intensity: intensity) { x, y in
                let dx = x - cx, dy = y - cy
                let px = ca * dx + sa * dy, py = -sa * dx + ca * dy  // rotated into the shape's frame
                switch kind {
                case 0: return dx * dx + dy * dy <= radius * radius
                case 1:
                    let half = radius * 0.8
                    return abs(px) <= half && abs(py) <= half
                default:
                    // An equilateral triangle inscribed in the circle of `radius`.
                    for k in 0..<3 {
                        let a = Double(k) * 2 * Double.pi / 3
                        if px * cos(a) + py * sin(a) > radius / 2 { return false }
                    }
                    return true
                }
            }
            return Float(kind)
        }
    }

    /// The 5×7 bitmap font of the digits 0–9 (one string of 5 characters per row, `#` is ink).
    public static let font: [[String]] = [
        [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ["  #  ", " ##  ", "# #  ", "  #  ", "  #  ", "  #  ", "#####"],
        [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
    ]

    /// The strokes of a digit: segments between neighbouring ink cells of its bitmap (cell centres
    /// in font units, x across, y down); a diagonal joins two cells only where no straight path does.
    public static func strokes(of digit: Int) -> [(Double, Double, Double, Double)] {
        let rows = font[digit].map { Array($0) }
        func ink(_ x: Int, _ y: Int) -> Bool { y >= 0 && y < 7 && x >= 0 && x < 5 && rows[y][x] == "#" }
        var segments: [(Double, Double, Double, Double)] = []
        for y in 0..<7 {
            for x in 0..<5 where ink(x, y) {
                let (fx, fy) = (Double(x) + 0.5, Double(y) + 0.5)
                segments.append((fx, fy, fx, fy))
                if ink(x + 1, y) { segments.append((fx, fy, fx + 1, fy)) }
                if ink(x, y + 1) { segments.append((fx, fy, fx, fy + 1)) }
                for dx in [-1, 1] where ink(x + dx, y + 1) && !ink(x + dx, y) && !ink(x, y + 1) {
                    segments.append((fx, fy, fx + Double(dx), fy + 1))
                }
            }
        }
        return segments
    }

    /// The squared distance from (px, py) to a segment.
    @inline(__always)
    static func distanceSquared(_ px: Double, _ py: Double, _ s: (Double, Double, Double, Double)) -> Double {
        let (ax, ay, bx, by) = s
        let vx = bx - ax, vy = by - ay
        let length = vx * vx + vy * vy
        var t = length > 0 ? ((px - ax) * vx + (py - ay) * vy) / length : 0
        t = Swift.min(1, Swift.max(0, t))
        let dx = px - ax - t * vx, dy = py - ay - t * vy
        return dx * dx + dy * dy
    }

    /// `n` digit-like images: a random digit (the label) drawn with random height (55–85% of the
    /// image), position, slant and stroke width.
    public static func glyphs(_ n: Int, size: Int, generator: RandomGenerator) throws -> (images: Tensor, labels: Tensor) {
        let s = Double(size)
        let allStrokes = (0..<10).map { strokes(of: $0) }
        return try images(n, size: size, generator: generator) { pixels, i, r in
            let digit = Swift.min(9, Int(r[0] * 10))
            let cell = s * (0.55 + 0.3 * r[1]) / 7  // pixels per font unit
            let slant = (r[2] - 0.5) * 0.4
            let halfWidth = 0.32 + 0.3 * r[3]  // stroke half-width in font units
            let slackX = Swift.max(0, (s - 5 * cell) / 2 - cell * 0.3), slackY = Swift.max(0, (s - 7 * cell) / 2 - cell * 0.3)
            let cx = s / 2 + (r[4] * 2 - 1) * slackX, cy = s / 2 + (r[5] * 2 - 1) * slackY
            let segments = allStrokes[digit]
            let limit = halfWidth * halfWidth
            // The glyph's extent in pixels (font box widened by the stroke and the slant).
            let reach = (halfWidth + Swift.abs(slant) * 3.5 + 3) * cell
            let box = (cx - reach, cy - (halfWidth + 3.5) * cell, cx + reach, cy + (halfWidth + 3.5) * cell)
            paint(&pixels, image: i, size: size, intensity: 1, box: box) { x, y in
                // Pixel → font units (origin at the glyph's centre, slanted).
                let fy = (y - cy) / cell + 3.5
                let fx = (x - cx) / cell + 2.5 + slant * (fy - 3.5)
                for segment in segments where distanceSquared(fx, fy, segment) <= limit { return true }
                return false
            }
            return Float(digit)
        }
    }
}
