/// An open, validated `.safetensors` file whose tensors are converted one at a time, on request:
/// `stats` over a large checkpoint holds one tensor in Float32 at a time, never the whole file.
///
/// ```swift
/// let reader = try SafetensorsReader(path: "model.safetensors")
/// for info in reader.tensorInfos { let t = try reader.tensor(info.name) ... }
/// ```
public final class SafetensorsReader {
    /// Name, stored dtype (`"F16"`) and shape of a tensor, without its data.
    public struct TensorInfo {
        public let name: String
        public let dtype: String
        public let shape: [Int]
    }

    public let path: String
    /// Tensors in header order.
    public let tensorInfos: [TensorInfo]
    public let metadata: [String: String]
    /// `__metadata__` keys in header order.
    public let metadataOrder: [String]

    private let file: MappedFile
    private let entries: [String: Safetensors.Entry]
    private let dataStart: Int

    /// Maps and validates the file; no tensor data is converted yet.
    public init(path: String) throws {
        self.path = path
        do {
            file = try MappedFile(path: path)
            let (entries, metadata, dataStart) = try Safetensors.parseHeader(file.bytes)
            self.entries = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            self.tensorInfos = entries.map { TensorInfo(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape) }
            self.metadata = Dictionary(metadata, uniquingKeysWith: { a, _ in a })
            self.metadataOrder = metadata.map(\.0)
            self.dataStart = dataStart
        } catch let error as FormatError {
            throw error.inFile(path)
        }
    }

    /// The tensor `name` converted to Float32.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else { throw FormatError("\(path): no tensor named \"\(name)\"") }
        try FormatError.reserve(e.count, for: "\(path): tensor \"\(name)\"")
        return Safetensors.convert(e, in: file.bytes, dataStart: dataStart)
    }
}
