import CKernels
import Foundation

/// Softmax-family primitives along an axis (numerically stable: the lane maximum is subtracted).
extension Tensor {
    /// Runs `body(lane, n, stride)` over every lane along `axis` of `data`, split across threads.
    func lanes(_ axis: Int, _ data: UnsafeMutablePointer<Float>, _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        let (outer, n, inner) = axisSplit(axis)
        Engine.parallelFor(outer * inner, grain: Swift.max(1, 16384 / Swift.max(n, 1))) { s, e in
            for l in s..<e {
                let r = l / inner, i = l - r * inner
                body(data + r * n * inner + i, n, inner)
            }
        }
    }

    /// A copy of the scalars with `body(lane, n, stride)` run on every lane along axis `a`.
    func mappedLanes(_ a: Int, _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void) throws -> [Float] {
        try Tensor.reserve(count, shape)
        var y = scalars
        y.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            lanes(a, base, body)
        }
        return y
    }

    /// The gradient of a lane-wise op with output `ys`: `g`'s scalars with `body(g, y, n, stride)`
    /// run on every lane along axis `a` (`g` is rewritten in place, `y` is the output's lane).
    static func laneGradient(_ g: Tensor, _ ys: [Float], _ a: Int,
                             _ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, Int) -> Void) -> Tensor {
        var gx = g.scalars
        ys.withUnsafeBufferPointer { py in
            gx.withUnsafeMutableBufferPointer { pg in
                guard let gb = pg.baseAddress, let yb = py.baseAddress else { return }
                g.lanes(a, gb) { v, n, s in body(v, yb + (v - gb), n, s) }
            }
        }
        return Tensor(unchecked: g.shape, gx)
    }

    /// The largest value of a lane, 0 when all are −∞ (so that x − max stays finite).
    static func laneMax(_ v: UnsafeMutablePointer<Float>, _ n: Int, _ s: Int) -> Float {
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, v[k * s]) }
        return m == -.infinity ? 0 : m
    }

    /// softmax along `axis`: exp(x − max) / Σ exp(x − max); gradient y·(g − Σ g·y).
    public func softmax(axis: Int = -1) throws -> Tensor {
        if rank == 0 { return Tensor.onesLike(self) }
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        let y = try mappedLanes(a) { v, n, s in
            if s == 1 { ck_softmax_rows(v, 1, n); return }
            let m = Tensor.laneMax(v, n, s)
            var total: Float = 0
            for k in 0..<n { let e = FastMath.exp(v[k * s] - m); v[k * s] = e; total += e }
            let inv = 1 / total
            for k in 0..<n { v[k * s] *= inv }
        }
        return Tensor(unchecked: shape, y).recorded("softmax", [self]) { g in
            [Tensor.laneGradient(g, y, a) { v, yl, n, s in
                if s == 1 { ck_softmax_backward_rows(yl, v, 1, n); return }
                var dot: Float = 0
                for k in 0..<n { dot += v[k * s] * yl[k * s] }
                for k in 0..<n { v[k * s] = yl[k * s] * (v[k * s] - dot) }
            }]
        }
    }

    /// log-softmax along `axis`: x − max − log Σ exp(x − max); gradient g − softmax·Σ g.
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        if rank == 0 { return Tensor.zerosLike(self) }
        let a = try Tensor.normalizeAxis(axis, rank: rank)
        let y = try mappedLanes(a) { v, n, s in
            let m = Tensor.laneMax(v, n, s)
            var total: Float = 0
            for k in 0..<n { total += FastMath.exp(v[k * s] - m) }
            let lse = m + Foundation.log(total)
            for k in 0..<n { v[k * s] -= lse }
        }
        return Tensor(unchecked: shape, y).recorded("log_softmax", [self]) { g in
            [Tensor.laneGradient(g, y, a) { v, yl, n, s in
                var total: Float = 0
                for k in 0..<n { total += v[k * s] }
                for k in 0..<n { v[k * s] -= FastMath.exp(yl[k * s]) * total }
            }]
        }
    }

    /// log Σ exp along `axis` (composite: max-shifted, so stable; gradient flows through primitives).
    public func logsumexp(axis: Int, keepdim: Bool = false) throws -> Tensor {
        let m = try detach().max(axis: axis, keepdim: true)
        let finite = Tensor(unchecked: m.shape, m.scalars.map { $0.isFinite ? $0 : 0 })
        let out = try sub(finite).exp().sum(axis: axis, keepdim: true).log().add(finite)
        return keepdim ? out : try out.squeeze(axis < 0 ? axis : axis)
    }
}
