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
    let parameterCount: Int
    /// Default values, compiled to run in the callee's frame (they may use earlier parameters).
    let defaults: [Node?]
    /// Slots of parameters that closures capture (boxed on entry).
    let capturedParameterSlots: [Int]
    let hasCapturedParameters: Bool
    /// Slot 0 holds the running closure only when it has upvalues to read.
    let needsSelf: Bool
    let slotCount: Int
    let body: Statement
    let span: SourceSpan

    init(name: String, parameterNames: [String], defaults: [Node?], capturedParameterSlots: [Int],
         slotCount: Int, needsSelf: Bool, body: Statement, span: SourceSpan) {
        self.name = name
        self.parameterNames = parameterNames
        self.parameterCount = parameterNames.count
        self.defaults = defaults
        self.capturedParameterSlots = capturedParameterSlots
        self.hasCapturedParameters = !capturedParameterSlots.isEmpty
        self.slotCount = slotCount
        self.needsSelf = needsSelf
        self.body = body
        self.span = span
    }
}
