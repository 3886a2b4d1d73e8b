import DSLimits
import Foundation

/// A file that cannot be read or written: malformed, hostile, or refused by the file system.
/// The message names the file, the problem and (where there is one) the tensor.
public struct FormatError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// Why a file operation of Foundation failed, as the system says it ("Not a directory"), instead
    /// of its "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
    public static func reason(_ error: Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError ?? error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return error.localizedDescription
    }

    /// The same error with `path: ` in front (readers add the path once, at the top).
    func inFile(_ path: String) -> FormatError { FormatError("\(path): \(message)") }

    /// `Tensor.checkedCount` for a shape read from a file, failing with a `FormatError`.
    static func checkedCount(_ shape: [Int]) throws -> Int {
        do { return try Tensor.checkedCount(shape) } catch let error as TensorError { throw FormatError(error.message) }
    }

    /// `Tensor.reserve` for tensors read from a file, failing with a `FormatError`.
    static func reserve(_ count: Int, for what: @autoclosure () -> String) throws {
        do { try Tensor.reserve(count, for: what()) } catch let error as TensorError { throw FormatError(error.message) }
    }

    /// The memory budget asked for `bytes` of file data (decompressed, not yet converted).
    static func reserve(bytes: Int, for what: @autoclosure () -> String) throws {
        do { try MemoryBudget.reserve(bytes: bytes, for: what()) } catch { throw FormatError(error.message) }
    }
}
