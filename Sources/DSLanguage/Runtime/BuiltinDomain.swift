/// One domain of built-ins (core, math, tensors, diffusion, ...): the unit of registration and of
/// the `:help` overview, which lists each domain's functions under its title in table order.
///
/// ```swift
/// BuiltinDomain("Math", functions: CoreMath.table)
/// BuiltinDomain("Tensors and autograd", functions: TensorLibrary.creation, methods: TensorMethods.table)
/// ```
///
/// `functions` become globals; `methods` are the methods of the domain's native types
/// (`tensor.sum`), which are reached through a value and only registered for `:help`.
public struct BuiltinDomain {
    public let title: String
    public let functions: [Builtin]
    public let methods: [Builtin]

    public init(_ title: String, functions: [Builtin], methods: [Builtin] = []) {
        self.title = title
        self.functions = functions
        self.methods = methods
    }
}
