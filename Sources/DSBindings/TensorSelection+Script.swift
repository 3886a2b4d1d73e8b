import DSEngine
import DSLanguage
import DSRender

/// `x[...]` translated from script values into the engine's `TensorSelection`: numbers, booleans,
/// lists, ranges and integer tensors become positions; slice bounds become integers. The engine
/// resolves them against the shape (negative positions, slice bounds, ranges of each axis).
extension TensorSelection {
    init(_ components: [IndexComponent], shape: [Int]) throws {
        try TensorSelection.checkCount(components.count, shape: shape)
        var entries: [Entry] = []
        for (axis, component) in components.enumerated() {
            let n = shape[axis]
            switch component {
            case .value(let value):
                entries.append(try TensorSelection.entry(value, axis: axis, shape: shape))
            case .slice(let start, let stop, let step):
                let k = try TensorSelection.bound(step, "step")
                let (a, b) = (try TensorSelection.bound(start, "start"), try TensorSelection.bound(stop, "stop"))
                entries.append(try TensorSelection.slice(start: a, stop: b, step: k, size: n))
            }
        }
        try self.init(entries, shape: shape)
        // Several index lists combine as an outer product: refuse results that cannot be allocated.
        try TensorConversion.checkShape(resultShape(shape), function: "index")
    }

    static func entry(_ value: Value, axis: Int, shape: [Int]) throws -> Entry {
        let n = shape[axis]
        func position(_ x: Double) throws -> Int {
            try TensorSelection.position(try integer(x), axis: axis, size: n)
        }
        switch value {
        case .number(let x):
            return .single(try position(x))
        case .bool(let b):
            return .single(try position(b ? 1 : 0))
        case .list(let list):
            let ps = try list.items.map { item -> Int in
                guard case .number(let x) = item else {
                    throw ScriptError("index list must hold integers, found \(item.typeName)")
                }
                return try position(x)
            }
            return .gather(positions: ps, shape: [ps.count])
        case .range(let range):
            // One element at a time: a huge range (`1..<1e18`) fails at its first bad index instead of
            // allocating its whole length first.
            var ps: [Int] = []
            for i in 0..<range.count { ps.append(try position(range.element(i))) }
            return .gather(positions: ps, shape: [ps.count])
        case .native(let object as TensorObject) where object.isMask:
            // A 1-D mask picks the positions where it is nonzero; a larger one indexes alone (`maskPositions`).
            guard object.tensor.rank == 1 else {
                throw ScriptError("a boolean mask of shape \(TensorFormatter.formatShape(object.tensor.shape)) cannot index here: "
                                  + "a mask indexes alone (x[mask]), or with one axis among other indices (x[:, m])")
            }
            let ps = try maskPositions(object.tensor, of: shape, from: axis)
            return .gather(positions: ps, shape: [ps.count])
        case .native(let object as TensorObject):
            let t = object.tensor
            if t.shape.isEmpty, let x = t.scalars.first { return .single(try position(Double(x))) }
            let ps = try t.scalars.map { try position(Double($0)) }
            return .gather(positions: ps, shape: t.shape)
        default:
            throw ScriptError("tensor index must be a number, a slice, a list or a tensor of integers, not \(value.typeName)")
        }
    }

    /// The positions where `mask` is nonzero, counted over the axes of `shape` from `axis` on that it
    /// covers (flattened in row-major order); its shape must be theirs.
    static func maskPositions(_ mask: Tensor, of shape: [Int], from axis: Int) throws -> [Int] {
        let covered = Array(shape.dropFirst(axis).prefix(mask.rank))
        guard covered == mask.shape else {
            throw ScriptError("boolean mask of shape \(TensorFormatter.formatShape(mask.shape)) does not match the indexed "
                              + "tensor's shape \(TensorFormatter.formatShape(shape)) at axis \(axis)")
        }
        return mask.scalars.indices.filter { mask.scalars[$0] != 0 }
    }

    /// A script number as an index.
    static func integer(_ x: Double) throws -> Int {
        guard x.rounded() == x, x.isFinite, Swift.abs(x) < 9e15 else {
            throw ScriptError("tensor index must be an integer, got \(formatNumber(x))")
        }
        return Int(x)
    }

    /// A slice bound (`start`, `stop` or `step`): nil, an integer or a one-element tensor.
    static func bound(_ v: Value?, _ what: String) throws -> Int? {
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
}
