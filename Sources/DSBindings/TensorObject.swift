import DSEngine
import DSLanguage
import DSRender

/// A DSEngine tensor as a dscript value (`type(x)` is `"tensor"`).
///
/// Members are looked up in `TensorMethods.table` (bound methods such as `x.sum`) and in
/// `TensorObject.properties` (fields such as `x.shape`). Operators broadcast as in NumPy and accept
/// numbers on either side.
public final class TensorObject: NativeObject {
    public let tensor: Tensor
    /// True for the 0/1 result of a comparison (`x > 0`): it indexes as a boolean mask, as in PyTorch
    /// (`x[x > 0]`), where any other tensor indexes by position.
    public let isMask: Bool

    public init(_ tensor: Tensor, isMask: Bool = false) {
        self.tensor = tensor
        self.isMask = isMask
    }

    public var typeName: String { "tensor" }

    // MARK: Members

    /// Read-only and read-write fields; methods live in `TensorMethods`.
    static let properties: [String: (TensorObject) throws -> Value] = [
        "shape": { .list(ListObject($0.tensor.shape.map { .number(Double($0)) })) },
        "ndim": { .number(Double($0.tensor.shape.count)) },
        "numel": { .number(Double($0.tensor.count)) },
        "dtype": { _ in .string("float32") },
        "T": { try $0.transposed() },
        "grad": { t in t.tensor.grad.map { .native(TensorObject($0)) } ?? .null },
        "requires_grad": { .bool($0.tensor.requiresGrad) },
        "is_leaf": { .bool($0.tensor.isLeaf) },
    ]

    public func member(_ name: String, context: CallContext) throws -> Value? {
        if let property = TensorObject.properties[name] { return try property(self) }
        if let method = TensorMethods.byName[name] {
            return method.bound(to: self)
        }
        return nil
    }

    public func setMember(_ name: String, _ value: Value, context: CallContext) throws {
        switch name {
        case "requires_grad":
            guard case .bool(let flag) = value else {
                throw ScriptError("requires_grad must be a boolean, got \(value.typeName)")
            }
            guard tensor.isLeaf else {
                throw ScriptError("requires_grad can only be changed on a leaf tensor (use x.detach())")
            }
            tensor.requiresGrad = flag
        case "grad":
            if value.isNull { tensor.grad = nil; return }
            let g = try TensorObject.coerce(value, like: tensor, role: "grad")
            guard g.shape == tensor.shape else {
                throw ScriptError("grad of shape \(TensorFormatter.formatShape(g.shape)) does not match tensor shape \(TensorFormatter.formatShape(tensor.shape))")
            }
            tensor.grad = g
        default:
            if TensorObject.properties[name] != nil || TensorMethods.byName[name] != nil {
                throw ScriptError("cannot set member '\(name)' of tensor")
            }
            throw ScriptError("tensor has no member '\(name)'")
        }
    }

    /// The members every tensor has besides its methods.
    static var typeMembers: [String] { Array(properties.keys) }

    public var memberNames: [String] {
        (TensorObject.typeMembers + TensorMethods.table.map(\.shortName)).sorted()
    }

    func transposed() throws -> Value {
        let r = tensor.shape.count
        if r < 2 { return .native(self) }
        return .native(TensorObject(try tensor.permute(Array((0..<r).reversed()))))
    }

    // MARK: Conversions


    /// A tensor operand: a tensor, a number or a boolean, or a nested list (read as a tensor).
    static func coerce(_ value: Value, like reference: Tensor? = nil, role: String = "operand") throws -> Tensor {
        switch value {
        case .native(let object as TensorObject): return object.tensor
        case .number(let x): return Tensor(shape: [], scalars: [Float(x)])
        case .bool(let b): return Tensor(shape: [], scalars: [b ? 1 : 0])
        case .list: return try TensorConversion.tensor(from: value)
        default: throw ScriptError("expected a tensor or a number as \(role), got \(value.typeName)")
        }
    }

    // MARK: Truth, length, iteration, printing

    public func truthiness() throws -> Bool {
        guard tensor.count == 1 else {
            throw ScriptError("the truth value of a tensor with \(tensor.count) elements is ambiguous")
        }
        return tensor.scalars[0] != 0
    }

    public var length: Int? { tensor.shape.first }

    public func elements(context: CallContext) throws -> [Value]? {
        guard let n = tensor.shape.first else {
            throw ScriptError("cannot iterate over a 0-d tensor")
        }
        // Each row is a list slot, a tensor object, a tensor and its copy of the row's values (a
        // [1e8, 0] tensor has 1e8 rows).
        try Growth.values(n, bytes: 256 + 4 * (tensor.count / Swift.max(n, 1)), "\(n) rows of a tensor")
        return try (0..<n).map { try index([.value(.number(Double($0)))], context: context) }
    }

    public func describe(repr: Bool) -> String {
        TensorFormatter.describe(shape: tensor.shape, scalars: tensor.scalars, requiresGrad: tensor.requiresGrad)
    }

    public func isEqual(to other: NativeObject) -> Bool { self === other }
}

extension TensorObject: HTMLRepresentable {
    /// A cell's tensor result in a notebook: shape and dtype over a table (2-D) or the numbers.
    public var html: String {
        TensorFormatter.html(shape: tensor.shape, scalars: tensor.scalars, requiresGrad: tensor.requiresGrad)
    }
}
