/// A file that cannot be read or written: malformed, hostile, or refused by the file system.
/// The message names the file, the problem and (where there is one) the tensor.
public struct FormatError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The same error with `path: ` in front (readers add the path once, at the top).
    func inFile(_ path: String) -> FormatError { FormatError("\(path): \(message)") }
}
