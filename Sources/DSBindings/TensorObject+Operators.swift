import DSEngine
import DSLanguage

/// Operators on tensors, translated to the engine's: arithmetic records gradients; comparisons give
/// 0/1 tensors (no gradient), as in PyTorch. Broadcasting is the engine's.
extension TensorObject {
    public func binary(_ op: BinaryOperator, _ other: Value, reversed: Bool, context: CallContext) throws -> Value? {
        let otherTensor: Tensor
        switch other {
        case .native(let object as TensorObject): otherTensor = object.tensor
        case .number(let x): otherTensor = Tensor(shape: [], scalars: [Float(x)])
        case .bool(let b): otherTensor = Tensor(shape: [], scalars: [b ? 1 : 0])
        case .list where op != .eq && op != .ne: otherTensor = try TensorConversion.tensor(from: other)
        default: return nil
        }
        let (a, b) = reversed ? (otherTensor, tensor) : (tensor, otherTensor)
        // A comparison is a boolean mask, and so is the product of two (their `and`), as in PyTorch.
        let comparison: Set<BinaryOperator> = [.eq, .ne, .lt, .le, .gt, .ge]
        var isMask = comparison.contains(op)
        if op == .mul, isMask == false, case .native(let object as TensorObject) = other { isMask = self.isMask && object.isMask }
        return .native(TensorObject(try TensorObject.apply(op, a, b), isMask: isMask))
    }

    /// `a op b` for two tensors.
    static func apply(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case .add: return try a.add(b)
        case .sub: return try a.sub(b)
        case .mul: return try a.mul(b)
        case .div: return try a.div(b)
        case .pow: return try a.pow(b)
        case .mod:
            // Python's floored modulo: a - b * floor(a / b); floor has a zero gradient.
            let q = try a.div(b)
            return try a.sub(b.mul(Tensor(shape: q.shape, scalars: q.scalars.map { $0.rounded(.down) })))
        case .matmul: return try a.matmul(b)
        case .eq: return try a.eq(b)
        case .ne: return try a.ne(b)
        case .lt: return try a.lt(b)
        case .le: return try a.le(b)
        case .gt: return try a.gt(b)
        case .ge: return try a.ge(b)
        }
    }

    public func unary(_ op: UnaryOperator, context: CallContext) throws -> Value? {
        switch op {
        case .neg:
            try Tensor.reserve(like: tensor)
            return .native(TensorObject(tensor.neg()))
        }
    }
}
