import CKernels
import Foundation

/// A unary primitive: its forward function and its derivative side by side.
/// `df(x, y)` is dy/dx given the input `x` and the output `y`.
protocol UnaryPrimitive {
    static var name: String { get }
    static func f(_ x: Float) -> Float
    static func df(_ x: Float, _ y: Float) -> Float
}

enum NegOp: UnaryPrimitive {
    static let name = "neg"
    @inline(__always) static func f(_ x: Float) -> Float { -x }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { -1 }
}
enum ExpOp: UnaryPrimitive {
    static let name = "exp"
    @inline(__always) static func f(_ x: Float) -> Float { FastMath.exp(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y }
}
enum LogOp: UnaryPrimitive {
    static let name = "log"
    @inline(__always) static func f(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 / x }
}
enum SqrtOp: UnaryPrimitive {
    static let name = "sqrt"
    @inline(__always) static func f(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
enum AbsOp: UnaryPrimitive {
    static let name = "abs"
    @inline(__always) static func f(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
enum SinOp: UnaryPrimitive {
    static let name = "sin"
    @inline(__always) static func f(_ x: Float) -> Float { FastMath.sin(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { FastMath.cos(x) }
}
enum CosOp: UnaryPrimitive {
    static let name = "cos"
    @inline(__always) static func f(_ x: Float) -> Float { FastMath.cos(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { -FastMath.sin(x) }
}
enum TanhOp: UnaryPrimitive {
    static let name = "tanh"
    @inline(__always) static func f(_ x: Float) -> Float { FastMath.tanh(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
enum SigmoidOp: UnaryPrimitive {
    static let name = "sigmoid"
    @inline(__always) static func f(_ x: Float) -> Float { FastMath.sigmoid(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
enum ReluOp: UnaryPrimitive {
    static let name = "relu"
    @inline(__always) static func f(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
enum SiluOp: UnaryPrimitive {
    static let name = "silu"
    @inline(__always) static func f(_ x: Float) -> Float { x * FastMath.sigmoid(x) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
        let s = FastMath.sigmoid(x)
        return s * (1 + x * (1 - s))
    }
}
/// GELU with the exact erf form (PyTorch's default).
enum GeluOp: UnaryPrimitive {
    static let name = "gelu"
    @inline(__always) static func f(_ x: Float) -> Float { 0.5 * x * (1 + FastMath.erf(x * 0.70710678118654752)) }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
        let cdf = 0.5 * (1 + FastMath.erf(x * 0.70710678118654752))
        return cdf + x * 0.39894228040143268 * FastMath.exp(-0.5 * x * x)
    }
}
/// GELU with the tanh approximation (`approximate="tanh"`).
enum GeluTanhOp: UnaryPrimitive {
    static let name = "gelu_tanh"
    @inline(__always) static func f(_ x: Float) -> Float {
        0.5 * x * (1 + FastMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
    @inline(__always) static func df(_ x: Float, _ y: Float) -> Float {
        let u = 0.79788456080286536 * (x + 0.044715 * x * x * x)
        let t = FastMath.tanh(u)
        let du = 0.79788456080286536 * (1 + 3 * 0.044715 * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
    }
}

extension Tensor {
    /// Applies a unary primitive elementwise and records its derivative rule.
    func unary<P: UnaryPrimitive>(_: P.Type) -> Tensor {
        let n = count
        let ys = [Float](unsafeUninitializedCapacity: n) { buf, c in
            c = n
            scalars.withUnsafeBufferPointer { px in
                guard let x = px.baseAddress, let o = buf.baseAddress else { return }
                Engine.parallelFor(n, grain: 16384) { s, e in for i in s..<e { o[i] = P.f(x[i]) } }
            }
        }
        let xs = scalars, shape = self.shape
        return Tensor(unchecked: shape, ys).recorded(P.name, [self]) { g in
            let gx = [Float](unsafeUninitializedCapacity: n) { buf, c in
                c = n
                xs.withUnsafeBufferPointer { px in ys.withUnsafeBufferPointer { py in g.scalars.withUnsafeBufferPointer { pg in
                    guard let x = px.baseAddress, let y = py.baseAddress, let gp = pg.baseAddress,
                          let o = buf.baseAddress else { return }
                    Engine.parallelFor(n, grain: 16384) { s, e in for i in s..<e { o[i] = gp[i] * P.df(x[i], y[i]) } }
                } } }
            }
            return [Tensor(unchecked: shape, gx)]
        }
    }

    public func neg() -> Tensor { unary(NegOp.self) }
    public func exp() -> Tensor { unary(ExpOp.self) }
    public func log() -> Tensor { unary(LogOp.self) }
    public func sqrt() -> Tensor { unary(SqrtOp.self) }
    public func abs() -> Tensor { unary(AbsOp.self) }
    public func sin() -> Tensor { unary(SinOp.self) }
    public func cos() -> Tensor { unary(CosOp.self) }
    public func tanh() -> Tensor { unary(TanhOp.self) }
    public func sigmoid() -> Tensor { unary(SigmoidOp.self) }
    public func relu() -> Tensor { unary(ReluOp.self) }
    /// x·σ(x); a primitive that keeps σ(x) from the forward pass for its gradient σ·(1 + x·(1 − σ)).
    public func silu() -> Tensor {
        let n = count
        var sig = Tensor.uninitializedScalars(n)
        let ys = [Float](unsafeUninitializedCapacity: n) { buf, c in
            c = n
            scalars.withUnsafeBufferPointer { px in sig.withUnsafeMutableBufferPointer { ps in
                guard let x = px.baseAddress, let o = buf.baseAddress, let s0 = ps.baseAddress else { return }
                Engine.parallelFor(n, grain: 16384) { s, e in ck_silu(x + s, o + s, s0 + s, e - s) }
            } }
        }
        guard Engine.gradEnabledFlag && requiresGrad else { return Tensor(unchecked: shape, ys) }
        let xs = scalars, shape = self.shape, sg = sig
        return Tensor(unchecked: shape, ys).recorded("silu", [self]) { g in
            let gx = [Float](unsafeUninitializedCapacity: n) { buf, c in
                c = n
                xs.withUnsafeBufferPointer { px in sg.withUnsafeBufferPointer { ps in g.scalars.withUnsafeBufferPointer { pg in
                    guard let x = px.baseAddress, let s0 = ps.baseAddress, let gp = pg.baseAddress,
                          let o = buf.baseAddress else { return }
                    Engine.parallelFor(n, grain: 16384) { s, e in ck_silu_backward(x + s, s0 + s, gp + s, o + s, e - s) }
                } } }
            }
            return [Tensor(unchecked: shape, gx)]
        }
    }
    /// GELU; `approximate: "tanh"` selects the tanh form, anything else ("none") the exact erf form.
    public func gelu(approximate: String = "none") -> Tensor {
        approximate == "tanh" ? unary(GeluTanhOp.self) : unary(GeluOp.self)
    }
    /// x² (composite).
    public func square() throws -> Tensor { try mul(self) }
    /// 1/√x (composite).
    public func rsqrt() throws -> Tensor { try sqrt().reciprocal() }
    /// 1/x (composite).
    public func reciprocal() throws -> Tensor { try Tensor(1).div(self) }

    /// Clamps into [lo, hi] (either bound optional); the gradient passes where the input is inside.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        let lower = lo ?? -Float.infinity, upper = hi ?? Float.infinity
        let xs = scalars, shape = self.shape
        var ys = xs
        for i in 0..<ys.count { ys[i] = Swift.min(Swift.max(ys[i], lower), upper) }
        return Tensor(unchecked: shape, ys).recorded("clamp", [self]) { g in
            var gx = g.scalars
            for i in 0..<gx.count where xs[i] < lower || xs[i] > upper { gx[i] = 0 }
            return [Tensor(unchecked: shape, gx)]
        }
    }
}
