import Foundation

enum AddFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MulFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum PowFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) } }
enum MaxFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) } }
enum MinFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) } }
enum EqFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
enum NeFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 } }
enum LtFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 } }
enum LeFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 } }
enum GtFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 } }
enum GeFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 } }
/// 1 where a > b, 0.5 where equal, 0 below: how torch splits maximum/minimum gradients on ties.
enum WinFn: BinaryFn { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : (a == b ? 0.5 : 0) } }

/// Binary primitives: each forward runs the broadcasting kernel; each gradient rule is written with
/// tensor ops and reduced to the input's shape by `sumToShape` (the one broadcast-gradient reduction).
extension Tensor {
    /// Runs a broadcast binary forward and records `rule(g) -> (ga, gb)` at the output shape.
    func binary<F: BinaryFn>(_ other: Tensor, _ fn: F.Type, _ name: String,
                             _ rule: @escaping (Tensor) throws -> (Tensor?, Tensor?)) throws -> Tensor {
        let out = try broadcastBinary(self, other, fn)
        let sa = shape, sb = other.shape
        let needA = requiresGrad, needB = other.requiresGrad
        return out.recorded(name, [self, other]) { g in
            let (ga, gb) = try rule(g)
            return [needA ? try ga?.sumToShape(sa) : nil, needB ? try gb?.sumToShape(sb) : nil]
        }
    }

    public func add(_ o: Tensor) throws -> Tensor { try binary(o, AddFn.self, "add") { g in (g, g) } }
    public func sub(_ o: Tensor) throws -> Tensor { try binary(o, SubFn.self, "sub") { g in (g, g.neg()) } }
    public func mul(_ o: Tensor) throws -> Tensor {
        let a = self.detach(), b = o.detach()
        return try binary(o, MulFn.self, "mul") { g in (try g.mul(b), try g.mul(a)) }
    }
    public func div(_ o: Tensor) throws -> Tensor {
        let a = self.detach(), b = o.detach()
        return try binary(o, DivFn.self, "div") { g in
            let ga = try g.div(b)
            return (ga, o.requiresGrad ? try ga.mul(a).div(b).neg() : nil)
        }
    }
    /// a ** b; the exponent's gradient a^b·ln a is computed only when it requires grad.
    public func pow(_ o: Tensor) throws -> Tensor {
        let a = self.detach(), b = o.detach()
        let needB = o.requiresGrad
        return try binary(o, PowFn.self, "pow") { g in
            let ga = try g.mul(b).mul(a.pow(b.sub(Tensor(1))))
            let gb = needB ? try g.mul(a.pow(b)).mul(a.log()) : nil
            return (ga, gb)
        }
    }
    /// Elementwise maximum (NaN propagates); ties split the gradient in half as torch does.
    public func maximum(_ o: Tensor) throws -> Tensor {
        let a = self.detach(), b = o.detach()
        return try binary(o, MaxFn.self, "maximum") { g in
            let w = try broadcastBinary(a, b, WinFn.self)
            return (try g.mul(w), try g.mul(Tensor(1).sub(w)))
        }
    }
    /// Elementwise minimum (NaN propagates); ties split the gradient in half.
    public func minimum(_ o: Tensor) throws -> Tensor {
        let a = self.detach(), b = o.detach()
        return try binary(o, MinFn.self, "minimum") { g in
            let w = try broadcastBinary(b, a, WinFn.self)
            return (try g.mul(w), try g.mul(Tensor(1).sub(w)))
        }
    }

    public func add(_ s: Float) throws -> Tensor { try add(Tensor(s)) }
    public func sub(_ s: Float) throws -> Tensor { try sub(Tensor(s)) }
    public func mul(_ s: Float) throws -> Tensor { try mul(Tensor(s)) }
    public func div(_ s: Float) throws -> Tensor { try div(Tensor(s)) }
    public func pow(_ s: Float) throws -> Tensor { try pow(Tensor(s)) }

    // Comparisons give 0/1 floats and carry no gradient.
    public func eq(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, EqFn.self) }
    public func ne(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, NeFn.self) }
    public func lt(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, LtFn.self) }
    public func le(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, LeFn.self) }
    public func gt(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, GtFn.self) }
    public func ge(_ o: Tensor) throws -> Tensor { try broadcastBinary(self, o, GeFn.self) }

    /// 1 where a == b (equal infinities) or |a − b| is finite and ≤ atol + rtol·|b|, else 0, as
    /// `torch.isclose` without `equal_nan` (1 is not close to ∞, nor −∞ to ∞); shapes broadcast;
    /// not recorded.
    public func isClose(_ o: Tensor, rtol: Float, atol: Float) throws -> Tensor {
        try Engine.withNoGrad {
            let difference = try sub(o).abs()
            let within = try difference.le(o.abs().mul(rtol).add(atol)).mul(difference.lt(Tensor(.infinity)))
            return try within.maximum(eq(o))
        }
    }

    /// `cond ? a : b` elementwise with broadcasting of all three (cond is nonzero = true).
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape)
        try reserve(4 * checkedCount(shape), shape)   // the three expanded operands and the result
        let c = try cond.detach().expand(to: shape).scalars
        let x = try a.detach().expand(to: shape).scalars, y = try b.detach().expand(to: shape).scalars
        var out = [Float](repeating: 0, count: c.count)
        for i in 0..<out.count { out[i] = c[i] != 0 ? x[i] : y[i] }
        let sa = a.shape, sb = b.shape
        return Tensor(unchecked: shape, out).recorded("where", [a, b]) { g in
            var ga = g.scalars, gb = g.scalars
            for i in 0..<c.count { if c[i] != 0 { gb[i] = 0 } else { ga[i] = 0 } }
            return [try Tensor(unchecked: shape, ga).sumToShape(sa), try Tensor(unchecked: shape, gb).sumToShape(sb)]
        }
    }

    // Throwing operators, so composites read like math: `try (x - m) * r`.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.add(b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.sub(b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.mul(b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.div(b) }
    public static func + (a: Tensor, b: Float) throws -> Tensor { try a.add(b) }
    public static func - (a: Tensor, b: Float) throws -> Tensor { try a.sub(b) }
    public static func * (a: Tensor, b: Float) throws -> Tensor { try a.mul(b) }
    public static func / (a: Tensor, b: Float) throws -> Tensor { try a.div(b) }
    public static func + (a: Float, b: Tensor) throws -> Tensor { try Tensor(a).add(b) }
    public static func - (a: Float, b: Tensor) throws -> Tensor { try Tensor(a).sub(b) }
    public static func * (a: Float, b: Tensor) throws -> Tensor { try Tensor(a).mul(b) }
    public static func / (a: Float, b: Tensor) throws -> Tensor { try Tensor(a).div(b) }
    public static prefix func - (a: Tensor) -> Tensor { a.neg() }
}
