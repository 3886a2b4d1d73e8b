import DSLimits

/// How image values map to 0…255.
public enum ImageRange: Equatable {
    /// [-1, 1] when every value lies there and some are negative, [0, 1] when every value lies
    /// there, else the minimum and maximum of the data.
    case auto
    /// These values map to black and white; values outside are clipped.
    case fixed(Float, Float)

    /// The black and white points for `scalars`.
    public func bounds(of scalars: [Float]) -> (lo: Float, hi: Float) {
        if case .fixed(let lo, let hi) = self { return (lo, hi) }
        var lo = Float.infinity, hi = -Float.infinity
        for v in scalars where v.isFinite {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        if lo > hi { return (0, 1) }  // empty or all non-finite
        if lo >= -1, hi <= 1 { return lo < 0 ? (-1, 1) : (0, 1) }
        if lo == hi { return (lo - 0.5, hi + 0.5) }
        return (lo, hi)
    }
}

/// Turns image tensors into 8-bit pictures: one image `[H, W]` or `[C, H, W]` (C = 1 or 3), or a
/// batch `[N, C, H, W]` (or `[N, H, W]`) laid out as a grid of `nrow` images per row, with
/// `padding` black pixels between them (as torchvision's `make_grid`).
public enum ImageGrid {
    /// The layout of an image tensor: how many images, channels, rows and columns.
    public struct Layout: Equatable {
        public var count: Int, channels: Int, height: Int, width: Int
    }

    /// Reads the layout of `shape`, or explains why it is not an image.
    public static func layout(of shape: [Int]) throws -> Layout {
        let layout: Layout
        switch shape.count {
        case 2: layout = Layout(count: 1, channels: 1, height: shape[0], width: shape[1])
        case 3 where shape[0] == 1 || shape[0] == 3:
            layout = Layout(count: 1, channels: shape[0], height: shape[1], width: shape[2])
        case 3: layout = Layout(count: shape[0], channels: 1, height: shape[1], width: shape[2])
        case 4 where shape[1] == 1 || shape[1] == 3:
            layout = Layout(count: shape[0], channels: shape[1], height: shape[2], width: shape[3])
        case 4:
            throw TensorError("an image batch [N, C, H, W] needs C = 1 or 3, got shape \(shape)")
        default:
            throw TensorError("an image is [H, W], [C, H, W] or a batch [N, C, H, W], got shape \(shape)")
        }
        guard layout.count > 0, layout.height > 0, layout.width > 0 else {
            throw TensorError("an image needs at least one pixel, got shape \(shape)")
        }
        return layout
    }

    /// The grid picture of an image tensor (grey or RGB, 8 bits).
    public static func render(
        _ tensor: Tensor, nrow: Int = 8, padding: Int = 1, range: ImageRange = .auto
    ) throws -> PixelImage {
        let l = try layout(of: tensor.shape)
        guard nrow > 0 else { throw TensorError("nrow must be positive, got \(nrow)") }
        guard padding >= 0, padding <= 64 else { throw TensorError("padding must be 0…64, got \(padding)") }
        let (lo, hi) = range.bounds(of: tensor.scalars)
        guard hi > lo else { throw TensorError("image range must have low < high, got [\(NumberText.plain(lo)), \(NumberText.plain(hi))]") }
        let columns = Swift.min(nrow, l.count)
        let rows = (l.count + columns - 1) / columns
        let pad = l.count > 1 ? padding : 0
        let width = columns * l.width + (columns - 1) * pad
        let height = rows * l.height + (rows - 1) * pad
        guard width <= PNGCodec.maxSide, height <= PNGCodec.maxSide else {
            throw TensorError("image grid of \(width)×\(height) pixels is too large (at most \(PNGCodec.maxSide) per side)")
        }
        var picture = PixelImage(width: width, height: height, channels: l.channels)
        let scale = 255 / (hi - lo)
        let plane = l.height * l.width
        tensor.scalars.withUnsafeBufferPointer { src in
            for n in 0..<l.count {
                let ox = (n % columns) * (l.width + pad), oy = (n / columns) * (l.height + pad)
                for c in 0..<l.channels {
                    let start = (n * l.channels + c) * plane
                    for y in 0..<l.height {
                        for x in 0..<l.width {
                            let v = src[start + y * l.width + x]
                            let scaled = v.isNaN ? 0 : Swift.min(255, Swift.max(0, (v - lo) * scale))
                            picture.bytes[((oy + y) * width + ox + x) * l.channels + c] = UInt8(scaled.rounded())
                        }
                    }
                }
            }
        }
        return picture
    }

    /// Each pixel repeated `factor` times across and down (nearest-neighbour upscaling).
    public static func upscale(_ picture: PixelImage, by factor: Int) -> PixelImage {
        guard factor > 1 else { return picture }
        let w = picture.width * factor, h = picture.height * factor, c = picture.channels
        var out = PixelImage(width: w, height: h, channels: c)
        for y in 0..<h {
            for x in 0..<w {
                let src = ((y / factor) * picture.width + x / factor) * c
                let dst = (y * w + x) * c
                for k in 0..<c { out.bytes[dst + k] = picture.bytes[src + k] }
            }
        }
        return out
    }

    /// The picture shrunk `factor` times in each direction, each pixel the mean of its block
    /// (blocks at the right and bottom edges may be partial).
    public static func downscale(_ picture: PixelImage, by factor: Int) -> PixelImage {
        guard factor > 1 else { return picture }
        let w = (picture.width + factor - 1) / factor, h = (picture.height + factor - 1) / factor, c = picture.channels
        var out = PixelImage(width: w, height: h, channels: c)
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c {
                    var sum = 0, n = 0
                    for sy in (y * factor)..<Swift.min(picture.height, (y + 1) * factor) {
                        for sx in (x * factor)..<Swift.min(picture.width, (x + 1) * factor) {
                            sum += Int(picture.bytes[(sy * picture.width + sx) * c + k])
                            n += 1
                        }
                    }
                    out.bytes[(y * w + x) * c + k] = UInt8((sum + n / 2) / Swift.max(1, n))
                }
            }
        }
        return out
    }

    /// A picture as a `[C, H, W]` tensor with values from `lo` (0) to `hi` (255).
    public static func tensor(from picture: PixelImage, lo: Float = 0, hi: Float = 1) -> Tensor {
        let c = picture.channels, plane = picture.width * picture.height
        var scalars = [Float](repeating: 0, count: c * plane)
        let step = (hi - lo) / 255
        for p in 0..<plane {
            for k in 0..<c { scalars[k * plane + p] = lo + Float(picture.bytes[p * c + k]) * step }
        }
        return Tensor(shape: [c, picture.height, picture.width], scalars: scalars)
    }
}
