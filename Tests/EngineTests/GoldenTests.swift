import XCTest
@testable import DSEngine

/// Compares the engine with PyTorch numbers written by scripts/make-engine-goldens.py
/// (`/work/venv-ref/bin/python scripts/make-engine-goldens.py`, torch 2.15).
final class GoldenTests: XCTestCase {
    func testMLPForwardAndGrads() throws {
        let c = try fixture("mlp").dict("mlp")
        let g = RandomGenerator(seed: 0)
        let model = Sequential([try Linear(3, 16, generator: g), Activation.silu(), try Linear(16, 16, generator: g),
                                Activation.silu(), try Linear(16, 2, generator: g)])
        let state = try c.dict("state").mapValues { try tensor($0) }
        try model.loadState(state)
        XCTAssertEqual(model.stateDict().map { $0.0 }, ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        let out = try model(c.t("x"))
        assertClose(out.scalars, try c.t("out").scalars, atol: 1e-5, rtol: 1e-4, "mlp out")
        let loss = try Tensor.mse(out, c.t("target"))
        assertClose(loss.scalars, try c.t("loss").scalars, atol: 1e-6, rtol: 1e-5, "mlp loss")
        try loss.backward()
        let grads = try c.dict("grads")
        for (name, p) in model.namedParameters() {
            assertClose(p.grad?.scalars ?? [], try grads.t(name).scalars, atol: 1e-6, rtol: 1e-4, "grad \(name)")
        }
    }

    /// Through im2col products over the whole batch, then per sample.
    func testConv2d() throws {
        let saved = ConvColumns.maximumSpatial
        defer { ConvColumns.maximumSpatial = saved }
        for batched in [Int.max, 0] {
            ConvColumns.maximumSpatial = batched
            try checkConv2d()
        }
    }

    func checkConv2d() throws {
        for (name, any) in try fixture("conv2d") {
            guard let c = any as? [String: Any], let s = c["stride"] as? Int, let p = c["padding"] as? Int,
                  let d = c["dilation"] as? Int, let gr = c["groups"] as? Int else { throw TensorError("bad case") }
            let x = try c.t("x").requiringGrad(), w = try c.t("w").requiringGrad(), b = try c.t("b").requiringGrad()
            let y = try Tensor.conv2d(x, weight: w, bias: b, stride: s, padding: p, dilation: d, groups: gr)
            assertClose(y.scalars, try c.t("y").scalars, atol: 1e-5, rtol: 1e-4, "\(name) y")
            XCTAssertEqual(y.shape, try c.t("y").shape)
            try y.backward(c.t("gy"))
            assertClose(x.grad?.scalars ?? [], try c.t("gx").scalars, atol: 1e-5, rtol: 1e-4, "\(name) gx")
            assertClose(w.grad?.scalars ?? [], try c.t("gw").scalars, atol: 1e-4, rtol: 1e-4, "\(name) gw")
            assertClose(b.grad?.scalars ?? [], try c.t("gb").scalars, atol: 1e-4, rtol: 1e-4, "\(name) gb")
        }
    }

    func testNorms() throws {
        let f = try fixture("norms")
        for name in ["group_norm", "layer_norm"] {
            let c = try f.dict(name)
            let x = try c.t("x").requiringGrad(), w = try c.t("w").requiringGrad(), b = try c.t("b").requiringGrad()
            let y = name == "group_norm"
                ? try Tensor.groupNorm(x, groups: 3, weight: w, bias: b)
                : try Tensor.layerNorm(x, normalizedShape: [5], weight: w, bias: b)
            assertClose(y.scalars, try c.t("y").scalars, atol: 1e-5, rtol: 1e-4, "\(name) y")
            try y.backward(c.t("gy"))
            assertClose(x.grad?.scalars ?? [], try c.t("gx").scalars, atol: 1e-5, rtol: 1e-3, "\(name) gx")
            assertClose(w.grad?.scalars ?? [], try c.t("gw").scalars, atol: 1e-5, rtol: 1e-4, "\(name) gw")
            assertClose(b.grad?.scalars ?? [], try c.t("gb").scalars, atol: 1e-5, rtol: 1e-4, "\(name) gb")
        }
    }

    func testSoftmaxFamily() throws {
        for (name, any) in try fixture("softmax") {
            guard let c = any as? [String: Any], let axis = c["axis"] as? Int else { throw TensorError("bad case") }
            let x = try c.t("x").requiringGrad()
            let y = name.hasPrefix("log") ? try x.logSoftmax(axis: axis) : try x.softmax(axis: axis)
            assertClose(y.scalars, try c.t("y").scalars, atol: 1e-6, rtol: 1e-5, "\(name) y")
            try y.backward(c.t("gy"))
            assertClose(x.grad?.scalars ?? [], try c.t("gx").scalars, atol: 1e-6, rtol: 1e-4, "\(name) gx")
        }
    }

    func testAttention() throws {
        let c = try fixture("attention").dict("sdpa")
        let q = try c.t("q").requiringGrad(), k = try c.t("k").requiringGrad(), v = try c.t("v").requiringGrad()
        let y = try Tensor.scaledDotProductAttention(q, k, v)
        assertClose(y.scalars, try c.t("y").scalars, atol: 1e-6, rtol: 1e-4, "sdpa y")
        try y.backward(c.t("gy"))
        for (t, key) in [(q, "gq"), (k, "gk"), (v, "gv")] {
            assertClose(t.grad?.scalars ?? [], try c.t(key).scalars, atol: 1e-6, rtol: 1e-4, "sdpa \(key)")
        }
    }

    func testActivationsAndResampling() throws {
        let f = try fixture("activations")
        let ops: [String: (Tensor) throws -> Tensor] = [
            "gelu": { $0.gelu() }, "gelu_tanh": { $0.gelu(approximate: "tanh") }, "silu": { $0.silu() },
            "sigmoid": { $0.sigmoid() }, "tanh": { $0.tanh() },
            "upsample2": { try $0.upsampleNearest(scale: 2) }, "avgpool2": { try $0.avgPool2d(kernel: 2) },
        ]
        for (name, op) in ops {
            let c = try f.dict(name)
            let x = try c.t("x").requiringGrad()
            let y = try op(x)
            assertClose(y.scalars, try c.t("y").scalars, atol: 1e-6, rtol: 1e-5, "\(name) y")
            try y.backward(c.t("gy"))
            assertClose(x.grad?.scalars ?? [], try c.t("gx").scalars, atol: 1e-6, rtol: 1e-5, "\(name) gx")
        }
        let c = try f.dict("var_std"), x = try c.t("x")
        assertClose(try x.variance(axes: [0]).scalars, try c.t("var0").scalars, "var axis 0")
        assertClose(try x.std(axes: [1]).scalars, try c.t("std1").scalars, "std axis 1")
        assertClose(try x.variance(unbiased: false).scalars, try c.t("var_biased").scalars, "var biased")
        assertClose(try x.cumsum(axis: 1).scalars, try c.t("cumsum1").scalars, "cumsum")
        assertClose(try x.cumprod(axis: 0).scalars, try c.t("cumprod0").scalars, "cumprod")
    }

    func testOptimizers() throws {
        let f = try fixture("optimizers")
        let makers: [String: ([Tensor]) throws -> Optimizer] = [
            "adam": { try Adam($0, lr: 0.01) },
            "adam_wd": { try Adam($0, lr: 0.01, betas: (0.8, 0.95), eps: 1e-6, weightDecay: 0.1) },
            "adamw": { try Adam.adamW($0, lr: 0.01, weightDecay: 0.05) },
            "sgd_momentum": { try SGD($0, lr: 0.1, momentum: 0.9, dampening: 0.1) },
            "sgd_nesterov": { try SGD($0, lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
            "sgd_plain": { try SGD($0, lr: 0.1) },
        ]
        for (name, make) in makers {
            let c = try f.dict(name)
            let p = try c.t("p0").requiringGrad()
            let opt = try make([p])
            guard let grads = c["grads"] as? [Any], let traj = c["params"] as? [Any] else { throw TensorError("bad case") }
            for (step, (g, want)) in zip(grads, traj).enumerated() {
                p.grad = try tensor(g)
                try opt.step()
                assertClose(p.scalars, try tensor(want).scalars, atol: 1e-6, rtol: 1e-5, "\(name) step \(step + 1)")
            }
        }
        let c = try f.dict("clip")
        let a = try Tensor.zeros([3, 4]), b = try Tensor.zeros([5])
        a.grad = try c.t("ga"); b.grad = try c.t("gb")
        let norm = clipGradNorm([a, b], maxNorm: 1.5)
        XCTAssertEqual(Double(norm), c["norm"] as? Double ?? 0, accuracy: 1e-4)
        assertClose(a.grad?.scalars ?? [], try c.t("a_after").scalars, "clip a")
        assertClose(b.grad?.scalars ?? [], try c.t("b_after").scalars, "clip b")
    }

    func testTimestepEmbedding() throws {
        for (name, any) in try fixture("timestep") {
            guard let c = any as? [String: Any], let dim = c["dim"] as? Int, let flip = c["flip"] as? Bool,
                  let shift = c["shift"] as? Double else { throw TensorError("bad case") }
            let e = try timestepEmbedding(c.t("t"), dim: dim, flipSinToCos: flip, freqShift: Float(shift))
            XCTAssertEqual(e.shape, try c.t("emb").shape)
            // float32 sin/cos of arguments up to 999 differ by a few ulps of the argument
            assertClose(e.scalars, try c.t("emb").scalars, atol: 2e-4, rtol: 0, "timestep \(name)")
        }
    }
}
