/// `x[...]` resolved against a shape: one entry per indexed axis (the axes after them are taken
/// whole), negative positions and slice bounds resolved as in NumPy. Integers drop their axis,
/// slices keep it, lists of positions gather (several combine as an outer product).
///
/// The language's values are translated by the bindings (`TensorSelection.position`,
/// `TensorSelection.slice`); the engine does the rest: the result shape, the element offsets,
/// reading with a gradient (`Tensor.select`) and writing with broadcasting (`Tensor.write`).
public struct TensorSelection {
    public enum Entry: Equatable {
        /// One position; the axis disappears.
        case single(Int)
        /// `start:stop:step` resolved to the positions it selects; the axis stays.
        case slice(start: Int, count: Int, step: Int)
        /// Positions taken by an integer tensor or list (gather); the axis becomes `shape`.
        case gather(positions: [Int], shape: [Int])
    }

    public let entries: [Entry]

    /// Checks that there are no more entries than `shape` has axes.
    public init(_ entries: [Entry], shape: [Int]) throws {
        try TensorSelection.checkCount(entries.count, shape: shape)
        self.entries = entries
    }

    /// Refuses more indices than axes (before they are resolved, so the message comes first).
    public static func checkCount(_ count: Int, shape: [Int]) throws {
        guard count <= shape.count else {
            throw TensorError(
                "too many indices for tensor of shape \(shape): \(count) given, \(shape.count) dimension\(shape.count == 1 ? "" : "s")")
        }
    }

    /// Position `i` along an axis of size `n`, counted from the end when negative.
    public static func position(_ i: Int, axis: Int, size n: Int) throws -> Int {
        guard i >= -n && i < n else {
            throw TensorError("index \(i) is out of range for dimension \(axis) with size \(n)")
        }
        return i < 0 ? i + n : i
    }

    /// The slice `start:stop:step` of an axis of size `n` (Python's `slice.indices`).
    public static func slice(start: Int?, stop: Int?, step: Int?, size n: Int) throws -> Entry {
        let (first, count, step) = try Tensor.resolveSlice(start, stop, step, size: n)
        return .slice(start: first, count: count, step: step)
    }

    /// True when every entry is a single position or a slice (a view-like selection).
    public var isBasic: Bool {
        entries.allSatisfy { if case .gather = $0 { return false } else { return true } }
    }

    /// The shape of the result when `self` indexes a tensor of `shape`.
    public func resultShape(_ shape: [Int]) -> [Int] {
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

    /// The positions selected along one axis, in order.
    static func positions(_ entry: Entry) -> [Int] {
        switch entry {
        case .single(let i): return [i]
        case .slice(let start, let count, let step): return (0..<count).map { start + $0 * step }
        case .gather(let p, _): return p
        }
    }

    /// Flat offsets (row-major) of every selected element of a tensor of `shape`, in result order.
    public func offsets(in shape: [Int]) -> [Int] {
        let strides = Tensor.strides(of: shape)
        var lists: [[Int]] = entries.map(TensorSelection.positions)
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
}

extension Tensor {
    /// The elements `selection` picks, as a new tensor; while recording, the gradient flows back
    /// through the strided part (`index`) and each gathered axis (`gather`, scatter-add).
    public func select(_ selection: TensorSelection) throws -> Tensor {
        let outShape = selection.resultShape(shape)
        if !(requiresGrad && Engine.isGradEnabled) {
            let source = scalars
            return Tensor(shape: outShape, scalars: selection.offsets(in: shape).map { source[$0] })
        }
        // The strided part through `index`, then each gathered axis moved to the front, gathered
        // and moved back.
        var basic: [TensorIndex] = []
        var gathers: [(axis: Int, positions: [Int], shape: [Int])] = []
        var axis = 0
        for entry in selection.entries {
            switch entry {
            case .single(let i):
                basic.append(.index(i))
            case .slice(let start, let count, let step):
                let stop = start + (count - 1) * step + (step > 0 ? 1 : -1)
                basic.append(count == 0 ? .slice(start: 0, stop: 0, step: 1)
                             : .slice(start: start, stop: stop < 0 ? nil : stop, step: step))
                axis += 1
            case .gather(let positions, let shape):
                basic.append(.all)
                gathers.append((axis, positions, shape))
                axis += 1
            }
        }
        var current = try index(basic)
        var shift = 0
        for g in gathers {
            let a = g.axis + shift
            let rank = current.shape.count
            let toFront = [a] + (0..<rank).filter { $0 != a }
            let indices = Tensor(shape: [g.positions.count], scalars: g.positions.map(Float.init))
            var moved = try current.permute(toFront).gather(indices)
            // moved: [k] + other axes; put k back at position a, then expand to the index shape.
            var back = Array(1..<rank)
            back.insert(0, at: a)
            moved = try moved.permute(back)
            var newShape = moved.shape
            newShape.replaceSubrange(a...a, with: g.shape)
            current = try moved.reshape(newShape)
            shift += g.shape.count - 1
        }
        return try current.reshape(outShape)
    }

    /// Writes `value`, broadcast to `shape`, at the element `offsets` (in place, not recorded).
    public func write(_ value: Tensor, at offsets: [Int], shape target: [Int]) throws {
        let values: [Float]
        if value.shape == target {
            values = value.scalars
        } else {
            guard (try? broadcastShapes(target, value.shape)) == target else {
                throw TensorError("cannot assign a tensor of shape \(value.shape) to a selection of shape \(target)")
            }
            values = try value.detach().expand(to: target).scalars
        }
        scalars.withUnsafeMutableBufferPointer { out in
            for (offset, v) in zip(offsets, values) { out[offset] = v }
        }
    }
}
