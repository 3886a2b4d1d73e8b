import DSEngine
import DSLanguage
import DSRender

/// Conversions between dscript values and engine tensors: nested lists, shapes, scalars.
enum TensorConversion {
    /// Checks a shape given by the user: at most `Engine.maxRank` axes, non-negative sizes, and a size
    /// the engine accepts (`Tensor.sizeProblem`, which follows the memory budget).
    static func checkShape(_ shape: [Int], function: String) throws {
        guard shape.count <= Engine.maxRank else {
            throw ScriptError("\(function): a tensor has at most \(Engine.maxRank) axes, got \(shape.count)")
        }
        if let d = shape.first(where: { $0 < 0 }) {
            throw ScriptError("\(function): negative dimension \(d) in shape \(TensorFormatter.formatShape(shape))")
        }
        if let problem = Tensor.sizeProblem(shape) {
            throw ScriptError("\(function): tensor of shape \(TensorFormatter.formatShape(shape)) is too large (\(problem))")
        }
    }

    /// A tensor from a number, a boolean, a tensor, or a (nested) list of those.
    /// Ragged lists are an error that names the first position where the shape differs.
    static func tensor(from value: Value, function: String = "tensor") throws -> Tensor {
        switch value {
        case .number(let x): return Tensor(shape: [], scalars: [Float(x)])
        case .bool(let b): return Tensor(shape: [], scalars: [b ? 1 : 0])
        case .native(let object):
            if let t = object as? TensorObject { return t.tensor }
        case .list, .range:
            let shape = try inferShape(value, function: function)
            try checkShape(shape, function: function)
            try Tensor.reserve(shape.reduce(1, *), shape)
            var scalars: [Float] = []
            scalars.reserveCapacity(shape.reduce(1, *))
            try collect(value, path: [], shape: shape, into: &scalars, function: function)
            return Tensor(shape: shape, scalars: scalars)
        default: break
        }
        throw ScriptError("\(function): cannot make a tensor from a \(value.typeName)")
    }

    /// The shape implied by following the first element at every level.
    private static func inferShape(_ value: Value, function: String) throws -> [Int] {
        var shape: [Int] = []
        var current = value
        while true {
            guard shape.count <= Engine.maxRank else {
                throw ScriptError("\(function): a tensor has at most \(Engine.maxRank) axes; this list is nested deeper")
            }
            switch current {
            case .list(let list):
                shape.append(list.items.count)
                guard let first = list.items.first else { return shape }
                current = first
            case .range(let range):
                shape.append(range.count)
                return shape
            case .number, .bool:
                return shape
            case .native(let object as TensorObject):
                return shape + object.tensor.shape
            default:
                throw ScriptError("\(function): expected numbers, found \(current.typeName)")
            }
        }
    }

    /// Appends the scalars of a nested list in row-major order, checking it against `shape`.
    private static func collect(
        _ value: Value, path: [Int], shape: [Int], into scalars: inout [Float], function: String
    ) throws {
        let rest = Array(shape[path.count...])
        func fail(_ found: String) -> ScriptError {
            let place = path.isEmpty ? "the top level" : "position [" + path.map(String.init).joined(separator: ", ") + "]"
            let wanted = rest.isEmpty ? "a number" : rest.count == 1 ? "a list of length \(rest[0])" : "a nested list of shape \(TensorFormatter.formatShape(rest))"
            return ScriptError("\(function): ragged nested list: at \(place) expected \(wanted), found \(found)")
        }
        switch value {
        case .list(let list):
            guard let n = rest.first, n == list.items.count else { throw fail("a list of length \(list.items.count)") }
            for (i, item) in list.items.enumerated() {
                try collect(item, path: path + [i], shape: shape, into: &scalars, function: function)
            }
        case .range(let range):
            guard rest == [range.count] else { throw fail("a range of length \(range.count)") }
            for i in 0..<range.count { scalars.append(Float(range.element(i))) }
        case .number(let x):
            guard rest.isEmpty else { throw fail("a number") }
            scalars.append(Float(x))
        case .bool(let b):
            guard rest.isEmpty else { throw fail("a boolean") }
            scalars.append(b ? 1 : 0)
        case .native(let object as TensorObject):
            let t = object.tensor
            guard t.shape == rest else { throw fail("a tensor of shape \(TensorFormatter.formatShape(t.shape))") }
            scalars.append(contentsOf: t.scalars)
        default:
            throw fail(value.typeName)
        }
    }
}
