import DSEngine
import DSLanguage
import DSRender

/// `x[...]` parsed against a shape: one entry per indexed dimension, with negative indices and
/// slice bounds resolved as in NumPy.
struct IndexPlan {
    enum Entry {
        /// One position; the dimension disappears.
        case single(Int)
        /// `start:stop:step` resolved to the positions it selects; the dimension stays.
        case slice(start: Int, count: Int, step: Int)
        /// Positions taken by an integer tensor or list (gather); the dimension becomes `shape`.
        case gather(positions: [Int], shape: [Int])
    }

    var entries: [Entry]

    /// Resolves `components` against `shape`; errors name the dimension and its size.
    init(_ components: [IndexComponent], shape: [Int]) throws {
        guard components.count <= shape.count else {
            throw ScriptError(
                "too many indices for tensor of shape \(TensorFormatter.formatShape(shape)): "
                    + "\(components.count) given, \(shape.count) dimension\(shape.count == 1 ? "" : "s")")
        }
        entries = []
        for (axis, component) in components.enumerated() {
            let n = shape[axis]
            switch component {
            case .value(let value):
                entries.append(try IndexPlan.entry(value, axis: axis, size: n))
            case .slice(let start, let stop, let step):
                entries.append(try IndexPlan.slice(start, stop, step, size: n))
            }
        }
        // Several index lists combine as an outer product: refuse results that cannot be allocated.
        try TensorConversion.checkShape(resultShape(shape), function: "index")
    }

    /// True when every entry is a single position or a slice (a view-like selection).
    var isBasic: Bool {
        entries.allSatisfy { if case .gather = $0 { return false } else { return true } }
    }

    /// The shape of the result when `self` indexes a tensor of `shape`.
    func resultShape(_ shape: [Int]) -> [Int] {
        var out: [Int] = []
        for entry in entries {
            switch entry {
            case .single: break
            case .slice(_, let count, _): out.append(count)
            case .gather(_, let s): out.append(contentsOf: s)
            }
        }
        return out + shape[entries.count...]
    }

    /// The positions selected along one dimension, in order.
    static func positions(_ entry: Entry) -> [Int] {
        switch entry {
        case .single(let i): return [i]
        case .slice(let start, let count, let step): return (0..<count).map { start + $0 * step }
        case .gather(let p, _): return p
        }
    }

    /// Flat offsets (row-major) of every selected element of a tensor of `shape`, in result order.
    func offsets(in shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        if shape.count >= 2 {
            for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        }
        var lists: [[Int]] = entries.map(IndexPlan.positions)
        for d in entries.count..<shape.count { lists.append(Array(0..<shape[d])) }
        var result: [Int] = [0]
        for (d, list) in lists.enumerated() {
            var next: [Int] = []
            next.reserveCapacity(result.count * list.count)
            for base in result { for p in list { next.append(base + p * strides[d]) } }
            result = next
        }
        return result
    }

    // MARK: Parsing one component

    static func entry(_ value: Value, axis: Int, size n: Int) throws -> Entry {
        switch value {
        case .number(let x):
            return .single(try position(x, axis: axis, size: n))
        case .bool(let b):
            return .single(try position(b ? 1 : 0, axis: axis, size: n))
        case .list(let list):
            let ps = try list.items.map { item -> Int in
                guard case .number(let x) = item else {
                    throw ScriptError("index list must hold integers, found \(item.typeName)")
                }
                return try position(x, axis: axis, size: n)
            }
            return .gather(positions: ps, shape: [ps.count])
        case .range(let range):
            // One element at a time: a huge range (`1..<1e18`) fails at its first bad index instead of
            // allocating its whole length first.
            var ps: [Int] = []
            for i in 0..<range.count { ps.append(try position(range.element(i), axis: axis, size: n)) }
            return .gather(positions: ps, shape: [ps.count])
        case .native(let object as TensorObject):
            let t = object.tensor
            if t.shape.isEmpty, let x = t.scalars.first { return .single(try position(Double(x), axis: axis, size: n)) }
            let ps = try t.scalars.map { try position(Double($0), axis: axis, size: n) }
            return .gather(positions: ps, shape: t.shape)
        default:
            throw ScriptError("tensor index must be a number, a slice, a list or a tensor of integers, not \(value.typeName)")
        }
    }

    static func position(_ x: Double, axis: Int, size n: Int) throws -> Int {
        guard x.rounded() == x, x.isFinite, Swift.abs(x) < 9e15 else {
            throw ScriptError("tensor index must be an integer, got \(formatNumber(x))")
        }
        let i = Int(x)
        guard i >= -n && i < n else {
            throw ScriptError("index \(i) is out of range for dimension \(axis) with size \(n)")
        }
        return i < 0 ? i + n : i
    }

    static func slice(_ start: Value?, _ stop: Value?, _ step: Value?, size n: Int) throws -> Entry {
        func bound(_ v: Value?, _ what: String) throws -> Int? {
            guard let v, !v.isNull else { return nil }
            var x: Double
            switch v {
            case .number(let n): x = n
            case .native(let object as TensorObject) where object.tensor.count == 1: x = Double(object.tensor.scalars[0])
            default: throw ScriptError("slice \(what) must be an integer, not \(v.typeName)")
            }
            guard x.rounded() == x, x.isFinite else { throw ScriptError("slice \(what) must be an integer, got \(formatNumber(x))") }
            x = Swift.max(-9e15, Swift.min(9e15, x))
            return Int(x)
        }
        let k = try bound(step, "step") ?? 1
        guard k != 0 else { throw ScriptError("slice step cannot be zero") }
        var a = try bound(start, "start")
        var b = try bound(stop, "stop")
        // Python's slice.indices.
        if k > 0 {
            a = a.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? 0
            b = b.map { $0 < 0 ? Swift.max($0 + n, 0) : Swift.min($0, n) } ?? n
        } else {
            a = a.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? (n - 1)
            b = b.map { $0 < 0 ? Swift.max($0 + n, -1) : Swift.min($0, n - 1) } ?? -1
        }
        let lo = a ?? 0, hi = b ?? 0
        let count = k > 0 ? (hi > lo ? (hi - lo + k - 1) / k : 0) : (lo > hi ? (lo - hi - k - 1) / -k : 0)
        return .slice(start: lo, count: count, step: k)
    }
}
