import DSLimits

/// An error from the diffusion library: bad arguments, shapes or options. Never a trap.
///
/// The bindings turn it into a `ScriptError` with the message as written here.
public struct DiffusionError: Error, CustomStringConvertible, Equatable {
    /// The message shown to the user, lower-case and without a trailing period.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// Thrown by the samplers when the interruption check asks them to stop.
    public static let interrupted = DiffusionError("interrupted")
}

/// Checks that run before any arithmetic, shared by every function of the module.
enum Check {
    /// Throws unless `shape` equals `expected`, naming both in the message.
    static func sameShape(_ shape: [Int], _ expected: [Int], _ what: String, _ otherName: String) throws {
        guard shape == expected else {
            throw DiffusionError("\(what) has shape \(shape) but \(otherName) has shape \(expected)")
        }
    }

    /// Throws unless `value` is finite.
    static func finite(_ value: Double, _ what: String) throws {
        guard value.isFinite else { throw DiffusionError("\(what) must be a finite number, got \(NumberText.plain(value))") }
    }
}
