import CPNG

/// An 8-bit picture: rows top to bottom, pixels left to right, channels interleaved
/// (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA).
public struct PixelImage: Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }

    /// A picture filled with one value in every channel.
    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  bytes: [UInt8](repeating: fill, count: width * height * channels))
    }

    /// The red, green and blue of pixel (x, y); grey is repeated, alpha ignored.
    @inline(__always)
    public func rgb(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * channels
        if channels < 3 { return (bytes[i], bytes[i], bytes[i]) }
        return (bytes[i], bytes[i + 1], bytes[i + 2])
    }
}

/// PNG reading and writing through libpng's simplified API, which reports every error through
/// return values (no `longjmp` crosses Swift frames). Grey, grey + alpha, RGB and RGBA at 8 bits
/// are written; every PNG colour type is read (palettes expanded, 16-bit scaled to 8 bits).
public enum PNGCodec {
    /// The longest side accepted when reading (guards against decompression bombs).
    public static let maxSide = 16384
    /// The most pixels accepted when reading (2^26: e.g. 8192 × 8192).
    public static let maxPixels = 1 << 26

    // libpng's format flags (macros that Swift does not import reliably).
    static let flagAlpha: UInt32 = 0x01
    static let flagColor: UInt32 = 0x02
    static let flagLinear: UInt32 = 0x04
    static let flagColormap: UInt32 = 0x08
    static let imageFlag16BitSRGB: UInt32 = 0x04

    /// The libpng format for a channel count.
    static func format(channels: Int) -> UInt32? {
        switch channels {
        case 1: return 0
        case 2: return flagAlpha
        case 3: return flagColor
        case 4: return flagColor | flagAlpha
        default: return nil
        }
    }

    /// The message libpng left in `image`, or a fallback.
    static func message(_ image: inout png_image, _ fallback: String) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }

    /// Decodes a PNG held in memory. `channels` forces the output layout (1, 2, 3 or 4);
    /// nil keeps the file's (grey, grey + alpha, RGB or RGBA).
    public static func decode(_ data: UnsafeRawBufferPointer, channels: Int? = nil) throws -> PixelImage {
        guard data.count >= 8, let base = data.baseAddress else {
            throw FormatError("not a PNG file (\(data.count) bytes)")
        }
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard Array(data.prefix(8)) == signature else { throw FormatError("not a PNG file (bad signature)") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, base, data.count) != 0 else {
            let reason = message(&image, "unreadable header")
            png_image_free(&image)
            throw FormatError("malformed PNG: \(reason)")
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            png_image_free(&image)
            throw FormatError("PNG of \(width)×\(height) pixels refused (at most \(maxSide) per side and \(maxPixels) pixels)")
        }
        let fileFormat = image.format
        let outChannels: Int
        if let channels {
            guard format(channels: channels) != nil else {
                png_image_free(&image)
                throw FormatError("channels must be 1, 2, 3 or 4, got \(channels)")
            }
            outChannels = channels
        } else {
            outChannels = (fileFormat & flagColor != 0 ? 3 : 1) + (fileFormat & flagAlpha != 0 ? 1 : 0)
        }
        // 16-bit files are read as sRGB-encoded values scaled to 8 bits (not as linear light).
        image.flags |= imageFlag16BitSRGB
        image.format = format(channels: outChannels) ?? 0
        var bytes = [UInt8](repeating: 0, count: width * height * outChannels)
        let ok = bytes.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(width * outChannels), nil)
        }
        guard ok != 0 else {
            let reason = message(&image, "corrupt image data")
            png_image_free(&image)
            throw FormatError("malformed PNG: \(reason)")
        }
        png_image_free(&image)
        return PixelImage(width: width, height: height, channels: outChannels, bytes: bytes)
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(path: String, channels: Int? = nil) throws -> PixelImage {
        try MappedFile.reading(path) { try decode($0, channels: channels) }
    }

    /// Encodes an 8-bit picture as PNG bytes.
    public static func encode(_ picture: PixelImage) throws -> [UInt8] {
        guard let format = format(channels: picture.channels) else {
            throw FormatError("cannot write \(picture.channels) channels (1, 2, 3 or 4)")
        }
        guard picture.width > 0, picture.height > 0, picture.width <= maxSide, picture.height <= maxSide,
              picture.bytes.count == picture.width * picture.height * picture.channels else {
            throw FormatError("cannot write a picture of \(picture.width)×\(picture.height) pixels")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(picture.width)
        image.height = UInt32(picture.height)
        image.format = format
        let stride = Int32(picture.width * picture.channels)
        var size: Int = 0
        let measured = picture.bytes.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, stride, nil)
        }
        guard measured != 0, size > 0 else {
            throw FormatError("cannot encode PNG: \(message(&image, "unknown error"))")
        }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { memory in
            picture.bytes.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, memory.baseAddress, &size, 0, raw.baseAddress, stride, nil)
            }
        }
        guard written != 0 else {
            throw FormatError("cannot encode PNG: \(message(&image, "unknown error"))")
        }
        return Array(out.prefix(size))
    }

    /// Writes a picture to `path` atomically (temporary file, then rename).
    public static func write(_ picture: PixelImage, path: String) throws {
        let bytes = try encode(picture)
        let writer = try AtomicFileWriter(path: path)
        try writer.write(bytes)
        try writer.commit()
    }
}
