import DSEngine
import DSLanguage
import DSRender

/// Operators on tensors: arithmetic records gradients through the engine; comparisons give
/// 0/1 tensors (no gradient), as in PyTorch.
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
        return .native(TensorObject(try TensorObject.apply(op, a, b)))
    }

    /// `a op b` for two tensors.
    static func apply(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try engine {
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
            case .eq: return try compare(a, b, op) { $0 == $1 }
            case .ne: return try compare(a, b, op) { $0 != $1 }
            case .lt: return try compare(a, b, op) { $0 < $1 }
            case .le: return try compare(a, b, op) { $0 <= $1 }
            case .gt: return try compare(a, b, op) { $0 > $1 }
            case .ge: return try compare(a, b, op) { $0 >= $1 }
            }
        }
    }

    public func unary(_ op: UnaryOperator, context: CallContext) throws -> Value? {
        switch op {
        case .neg: return .native(TensorObject(tensor.neg()))
        }
    }

    /// An elementwise comparison with broadcasting; the result holds 1 where `test` holds, else 0.
    static func compare(_ a: Tensor, _ b: Tensor, _ op: BinaryOperator, _ test: (Float, Float) -> Bool) throws -> Tensor {
        try zipBroadcast(a, b, op.rawValue) { test($0, $1) ? 1 : 0 }
    }

    /// Applies `f` elementwise to two tensors broadcast against each other (no gradient).
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, _ name: String, _ f: (Float, Float) -> Float) throws -> Tensor {
        let shape: [Int]
        do {
            shape = try broadcastShapes(a.shape, b.shape)
        } catch {
            throw ScriptError(
                "shapes \(TensorFormatter.formatShape(a.shape)) and \(TensorFormatter.formatShape(b.shape)) cannot be broadcast for '\(name)'")
        }
        let n = shape.reduce(1, *)
        if a.shape == b.shape {
            return Tensor(shape: shape, scalars: zip(a.scalars, b.scalars).map(f))
        }
        if b.count == 1 {
            let y = b.scalars[0]
            return Tensor(shape: shape, scalars: a.scalars.map { f($0, y) })
        }
        if a.count == 1 {
            let x = a.scalars[0]
            return Tensor(shape: shape, scalars: b.scalars.map { f(x, $0) })
        }
        let ia = broadcastOffsets(from: a.shape, to: shape)
        let ib = broadcastOffsets(from: b.shape, to: shape)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = f(a.scalars[ia[i]], b.scalars[ib[i]]) }
        return Tensor(shape: shape, scalars: out)
    }

    /// For every element of a tensor of `target` shape, the offset of the element of a tensor of
    /// `source` shape that broadcasting maps to it.
    static func broadcastOffsets(from source: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - source.count) + source
        var strides = [Int](repeating: 0, count: target.count)
        var acc = 1
        for d in stride(from: target.count - 1, through: 0, by: -1) {
            strides[d] = padded[d] == 1 ? 0 : acc
            acc *= padded[d]
        }
        var offsets = [0]
        for d in 0..<target.count {
            var next: [Int] = []
            next.reserveCapacity(offsets.count * target[d])
            for base in offsets { for i in 0..<target[d] { next.append(base + i * strides[d]) } }
            offsets = next
        }
        return offsets
    }
}
