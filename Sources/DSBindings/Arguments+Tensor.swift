import DSEngine
import DSLanguage

/// Argument readers for tensor built-ins, in the style of `Arguments`' own checkers.
extension Arguments {
    /// A tensor argument; numbers and nested lists are converted (`relu(2)`, `mse(x, [1, 2])`).
    func tensor(_ position: Int?, _ name: String? = nil) throws -> Tensor {
        let v = try value(position, name)
        switch v {
        case .native(let object as TensorObject): return object.tensor
        case .number, .bool, .list, .range: return try TensorConversion.tensor(from: v, function: functionName)
        default: throw typeError(position, name, expected: "tensor", got: v)
        }
    }

    func tensor(_ name: String) throws -> Tensor { try tensor(position(of: name), name) }

    /// A tensor argument that must really be a tensor object (not a number or list).
    func tensorObject(_ name: String) throws -> TensorObject {
        try native(name, as: TensorObject.self, expected: "tensor")
    }

    /// The receiver of a tensor method.
    var this: Tensor {
        get throws { try receiver(as: TensorObject.self).tensor }
    }

    /// An optional axis or list of axes (`axis: 0`, `axis: [0, 1]`); nil means all axes.
    func axes(_ name: String = "axis") throws -> [Int]? {
        guard has(name) else { return nil }
        return try intList(name)
    }

    /// One optional axis.
    func axis(_ name: String = "axis") throws -> Int? {
        guard has(name) else { return nil }
        return try int(name)
    }

    /// A shape given as one list (`[2, 3]`) or as the remaining positional integers (`2, 3`),
    /// starting at `position` (a `...shape` parameter has no position of its own in the signature).
    func shape(from position: Int, _ name: String = "shape") throws -> [Int] {
        if position < count, case .list = positional[position] {
            guard position + 1 == count else {
                throw error(position + 1, nil, "a shape is one list or several integers, not both")
            }
            return try intList(position, name)
        }
        if position >= count { return try intList(position, name) }
        var dims: [Int] = []
        for i in position..<count { dims.append(try int(i, name)) }
        return dims
    }

    /// A shape argument that has been checked for allocation (`zeros(shape)`).
    func checkedShape(_ position: Int, _ name: String = "shape") throws -> [Int] {
        let s = try shape(from: position, name)
        try TensorConversion.checkShape(s, function: functionName)
        return s
    }

    /// An optional number as a Float.
    func float(_ name: String) throws -> Float? {
        has(name) ? Float(try number(name)) : nil
    }

    /// A list of tensors (`cat([a, b])`, `params` of optimizers).
    func tensorList(_ name: String) throws -> [Tensor] {
        let position = position(of: name)
        let v = try value(position, name)
        let items: [Value]
        switch v {
        case .list(let list): items = list.items
        case .native(let object as TensorObject): return [object.tensor]
        default: throw typeError(position, name, expected: "list of tensors", got: v)
        }
        return try items.enumerated().map { i, item in
            switch item {
            case .native(let object as TensorObject): return object.tensor
            case .number, .bool, .list: return try TensorConversion.tensor(from: item, function: functionName)
            default: throw error(position, name, "list of tensors expected, element \(i) is a \(item.typeName)")
            }
        }
    }
}

extension Value {
    /// Wraps an engine tensor as a dscript value.
    static func tensor(_ t: Tensor) -> Value { .native(TensorObject(t)) }
}

extension Value {
    /// A float32 result as a dscript number: the double with the same shortest decimal form, so
    /// `tensor([0.1]).item()` prints `0.1` rather than `0.10000000149011612`.
    static func float(_ x: Float) -> Value {
        guard x.isFinite else { return .number(Double(x)) }
        return .number(Double(x.description) ?? Double(x))
    }
}

/// A float32 in dscript's number format, from its shortest decimal (`1e-05`, not `9.99...e-06`).
func formatFloat(_ x: Float) -> String {
    guard x.isFinite else { return formatNumber(Double(x)) }
    return formatNumber(Double(x.description) ?? Double(x))
}
