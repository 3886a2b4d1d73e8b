/// A function written in dscript, with the variables it captured.
public final class FunctionObject {
    public let name: String
    /// The compiled function (nil only for placeholder objects made through the public init).
    let proto: FunctionProto?
    /// Captured variables (upvalues), in the order the resolver numbered them.
    let captures: [Box]

    public init(name: String) {
        self.name = name
        self.proto = nil
        self.captures = []
    }

    init(proto: FunctionProto, captures: [Box]) {
        self.name = proto.name
        self.proto = proto
        self.captures = captures
    }

    /// Parameter names, for `help` and messages.
    public var parameterNames: [String] { proto?.parameterNames ?? [] }
}

/// What every closure made from one `fn` shares: its compiled body, parameters and frame size.
final class FunctionProto {
    let name: String
    let parameterNames: [String]
    var parameterCount: Int { parameterNames.count }
    /// Default values, compiled to run in the callee's frame (they may use earlier parameters).
    var defaults: [Eval?] = []
    /// Slots of parameters that closures capture (boxed on entry).
    var capturedParameterSlots: [Int] = []
    var slotCount = 1
    var body: Exec = { _ in .normal }
    let span: SourceSpan

    init(name: String, parameterNames: [String], span: SourceSpan) {
        self.name = name
        self.parameterNames = parameterNames
        self.span = span
    }
}
