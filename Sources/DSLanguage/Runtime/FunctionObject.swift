/// A function written in dscript, with the variables it captured.
public final class FunctionObject {
    public let name: String
    public init(name: String) { self.name = name }
}
