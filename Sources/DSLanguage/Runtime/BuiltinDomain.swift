/// One domain of built-ins (core, math, tensors, diffusion, ...): the unit of registration and of
/// the `:help` overview, which lists each domain's functions under its title in table order.
///
/// ```swift
/// BuiltinDomain("Math", functions: CoreMath.table)
/// BuiltinDomain("Tensors and autograd", functions: TensorLibrary.creation, methods: TensorMethods.table)
/// ```
///
/// `functions` become globals; `methods` are the methods of the domain's native types
/// (`tensor.sum`), which are reached through a value and only registered for `:help`; `members`
/// names each type's other members (`tensor`: `shape`, `T`, ...), which completion offers after a
/// call whose declared result is that type.
public struct BuiltinDomain {
    public let title: String
    public let functions: [Builtin]
    public let methods: [Builtin]
    public let members: [String: [String]]

    public init(_ title: String, functions: [Builtin], methods: [Builtin] = [], members: [String: [String]] = [:]) {
        self.title = title
        self.functions = functions
        self.methods = methods
        self.members = members
    }
}
