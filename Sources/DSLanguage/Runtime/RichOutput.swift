/// Output that a front end can show better than as text: pictures, charts, tables and progress bars
/// in a Jupyter notebook. The kernel installs `show`; built-ins that draw ask `RichOutput.of(context)`
/// and print terminal text when it is nil (the REPL, scripts, tests).
public final class RichOutput {
    /// One representation of an output: text (`text/plain`, `text/html`, `image/svg+xml`) or bytes (`image/png`).
    public enum Data: Equatable {
        case text(String)
        case bytes([UInt8])
    }

    /// Shows `bundle` (MIME type and data, best first). An output shown with a `displayID` is
    /// replaced in place by a later call with the same id and `update: true` (progress bars).
    public var show: ((_ bundle: [(mime: String, data: Data)], _ displayID: String?, _ update: Bool) -> Void)?

    /// Whether the output shown with `displayID` is still the last one, with nothing shown or printed
    /// after it (printed text still waiting counts), so that rows added to it stay in order (`check`).
    public var isLast: ((_ displayID: String) -> Bool)?

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

/// A value with an HTML form that a notebook shows beside its text (`text/plain`) when it is a
/// cell's result: a tensor as a table.
public protocol HTMLRepresentable {
    /// An HTML fragment (no scripts, no style sheets).
    var html: String { get }
}
