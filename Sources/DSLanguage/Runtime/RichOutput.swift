/// Output that a front end can show better than as text: pictures, charts and progress bars in a
/// Jupyter notebook. The kernel installs `show`; built-ins that draw ask `RichOutput.of(context)`
/// and print terminal text when it is nil (the REPL, scripts, tests).
public final class RichOutput {
    /// One representation of an output: text (`text/plain`, `image/svg+xml`) or bytes (`image/png`).
    public enum Data: Equatable {
        case text(String)
        case bytes([UInt8])
    }

    /// Shows `bundle` (MIME type and data, best first). An output shown with a `displayID` is
    /// replaced in place by a later call with the same id and `update: true` (progress bars).
    public var show: ((_ bundle: [(mime: String, data: Data)], _ displayID: String?, _ update: Bool) -> Void)?

    private var displayCount = 0

    public init() {}

    /// A display id not used before in this interpreter.
    public func newDisplayID() -> String {
        displayCount += 1
        return "display-\(displayCount)"
    }

    /// The interpreter's rich output, when a front end installed one.
    public static func of(_ context: CallContext) -> RichOutput? {
        let output = context.state(RichOutput.self) { RichOutput() }
        return output.show == nil ? nil : output
    }
}
