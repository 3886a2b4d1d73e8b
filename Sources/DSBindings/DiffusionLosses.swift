import DSDiffusion
import DSEngine
import DSLanguage
import Foundation
import OrderedCollections

/// Losses, the variational bound, the 2-D data sets, `energy_distance` and `frechet_distance`
/// (docs/builtins.md § Diffusion and § Files, pictures and data).
///
/// `diffusion_loss` is differentiable through the model output. `kl_normal`, `vae_kl` and
/// `gaussian_nll` are composed from engine primitives when an input requires gradients (so a VAE
/// trains through them) and evaluated in float64 by DSDiffusion otherwise.
enum DiffusionLosses {
    static let functions: [Builtin] = [
        Builtin("diffusion_loss(model, s, x0, prediction = nil, weighting = \"none\", gamma = 5, class_labels = nil, cond_drop = 0, null_label = nil)",
                "DDPM's training loss: t ~ U{0..T−1}, ε ~ N(0, I), MSE of model(x_t, t) against ε, x0 or v (min_snr: Hang et al.); with class_labels, each is replaced by the null label with probability cond_drop (classifier-free guidance)",
                example: "let loss = diffusion_loss(model, s, batch)\nloss.backward()\ndiffusion_loss(model, s, x, class_labels: y, cond_drop: 0.1)") { a, c in
            let model = try DiffusionBridge.checkCallable(a)
            let s = try a.schedule(), x0 = try a.tensor("x0")
            let weighting = try LossWeighting(name: try a.string("weighting"))
            let labels = try a.classLabels()
            let drop = try a.number("cond_drop")
            var dropout: LabelDropout? = nil
            if drop != 0 {
                let null = a.has("null_label") ? try a.int("null_label") : try DiffusionBridge.nullLabel(of: model, c)
                guard let null else {
                    throw a.error("null_label", "cond_drop needs the null label: pass null_label: (a conditional mlp_denoiser knows its own)")
                }
                dropout = try LabelDropout(probability: drop, nullLabel: null)
            }
            let r = try diffusionLoss(DiffusionBridge.labelledModel(model, c), schedule: s, x0: x0, classLabels: labels,
                                      dropout: dropout, generator: RandomState.of(c),
                                      prediction: try a.prediction(default: s.settings.prediction), weighting: weighting,
                                      gamma: try a.number("gamma"))
            return .tensor(r.loss)
        },
        Builtin("kl_normal(mean1, logvar1, mean2, logvar2)", "elementwise KL(N(mean1, e^logvar1) ‖ N(mean2, e^logvar2)) in nats",
                example: "kl_normal(0, 0, 1, 0)   # 0.5") { a, _ in
            let m1 = try a.tensor("mean1"), l1 = try a.tensor("logvar1"), m2 = try a.tensor("mean2"), l2 = try a.tensor("logvar2")
            if [m1, l1, m2, l2].contains(where: \.requiresGrad) && Engine.isGradEnabled {
                // ½(−1 + lv2 − lv1 + e^{lv1−lv2} + (μ1−μ2)² e^{−lv2})
                let d = try m1.sub(m2)
                let inner = try l2.sub(l1).add(try l1.sub(l2).exp()).add(try d.square().mul(l2.neg().exp())).sub(1)
                return .tensor(try inner.mul(0.5))
            }
            return .tensor(try klNormal(mean1: m1, logVar1: l1, mean2: m2, logVar2: l2))
        },
        Builtin("vae_kl(mean, logvar)", "KL(N(mean, e^logvar) ‖ N(0, I)) summed over all axes but the first: one value per sample",
                example: "vae_kl(zeros([4, 8]), zeros([4, 8]))   # zeros") { a, _ in
            let m = try a.tensor("mean"), lv = try a.tensor("logvar")
            if (m.requiresGrad || lv.requiresGrad) && Engine.isGradEnabled {
                let terms = try m.square().add(lv.exp()).sub(1).sub(lv).mul(0.5)
                let axes = m.rank > 1 ? Array(1..<m.rank) : nil
                return .tensor(axes == nil ? try terms.sum() : try terms.sum(axes: axes))
            }
            return .tensor(try vaeKL(mean: m, logVar: lv))
        },
        Builtin("gaussian_nll(x, mean, logvar)", "elementwise −log N(x; mean, e^logvar) in nats",
                example: "gaussian_nll(0, 0, 0)   # 0.9189385") { a, _ in
            let x = try a.tensor("x"), m = try a.tensor("mean"), lv = try a.tensor("logvar")
            if [x, m, lv].contains(where: \.requiresGrad) && Engine.isGradEnabled {
                let inner = try x.sub(m).square().mul(lv.neg().exp()).add(lv).add(Float(log(2 * Double.pi)))
                return .tensor(try inner.mul(0.5))
            }
            return .tensor(try gaussianNLL(x: x, mean: m, logVar: lv))
        },
        Builtin("discretized_gaussian_nll(x, mean, logvar)", "DDPM's decoder: −log of the 8-bit bin of x ∈ [−1, 1] under N(mean, e^logvar), nats",
                example: "discretized_gaussian_nll(tensor([0]), tensor([0]), tensor([-9]))") { a, _ in
            .tensor(try discretizedGaussianNLL(x: try a.tensor("x"), mean: try a.tensor("mean"), logVar: try a.tensor("logvar")))
        },
        Builtin("vlb(model, s, x0, variance = nil, prediction = nil, clip = nil)",
                "the variational bound in bits/dim: dict total, prior (L_T), decoder (L_0), terms (tensor [T]), per_sample",
                example: "vlb(model, s, data[0:64])[\"total\"]") { a, c in
            let model = try DiffusionBridge.checkCallable(a)
            let s = try a.schedule(), x0 = try a.tensor("x0")
            let r = try Engine.withNoGrad {
                try vlb(DiffusionBridge.model(model, c), schedule: s, x0: x0, noise: DiffusionBridge.noise(c),
                        variance: try a.varianceType(default: s.settings.variance),
                        prediction: try a.prediction(default: s.settings.prediction),
                        clip: try a.bool("clip", default: s.settings.clip), hooks: DiffusionBridge.hooks(c, label: "vlb"))
            }
            func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(xs.count, 1)) }
            return .dict(DictObject([
                "total": .number(mean(r.total)),
                "prior": .number(mean(r.prior)),
                "decoder": .number(mean(r.terms.first ?? [])),
                "terms": .tensor(Tensor(shape: [r.terms.count], scalars: r.terms.map { Float(mean($0)) })),
                "per_sample": .tensor(Tensor(shape: [r.total.count], scalars: r.total.map { Float($0) })),
            ]))
        },
    ]

    /// `swiss_roll(n)`, `moons(n)`, …: DSDiffusion's data sets drawn from the interpreter's generator,
    /// and `energy_distance` to compare samples with them (`:help` lists them with the data).
    static let datasets: [Builtin] = Datasets2D.names.map { name in
        let labelled = Datasets2D.labelled[name]
        return Builtin(labelled == nil ? "\(name)(n)" : "\(name)(n, labels = false)",
                       "n points of the toy 2-D data set \(name) ([n, 2], unit variance per axis)"
                           + (labelled == nil ? "" : "; labels: true returns {points, labels}"),
                       example: "let data = \(name)(2000)") { a, c in
            let n = try a.int("n")
            let g = RandomState.of(c)
            let random = DataRandom(uniform: { g.uniform($0) }, normal: { g.normal($0) })
            if let labelled, try a.bool("labels", default: false) {
                let (points, labels) = try labelled(n, random)
                return .dict(DictObject(["points": .tensor(points), "labels": .tensor(labels)]))
            }
            return .tensor(try Datasets2D.make(name, n: n, random: random))
        }
    } + [
        Builtin("energy_distance(a, b)", "2·E‖a−b‖ − E‖a−a′‖ − E‖b−b′‖ over all pairs of rows (0 when the samples match)",
                example: "energy_distance(samples, swiss_roll(2000))") { a, _ in
            let x = try a.tensor("a"), y = try a.tensor("b")
            guard x.rank == 2, y.rank == 2, x.shape[1] == y.shape[1], x.shape[0] > 0, y.shape[0] > 0 else {
                throw a.error("b", "two [n, d] tensors with the same d expected, got \(x.shape) and \(y.shape)")
            }
            guard Double(x.shape[0]) * Double(y.shape[0]) <= 1e9 else { throw a.error("a", "too many points") }
            return .number(energyDistance(x, y))
        },
        Builtin("frechet_distance(samples, data, features = nil, batch = 256)",
                "the Fréchet distance between Gaussians fitted to features(samples) and features(data) (FID with a classifier's features; the flattened values without)",
                example: "frechet_distance(samples, images, features: fn(x) => classifier.features(x))") { a, c in
            let samples = try a.tensor("samples"), data = try a.tensor("data")
            let features = a.has("features") ? try DiffusionBridge.checkCallable(a, "features") : nil
            let batch = try a.int("batch")
            guard batch >= 1 else { throw a.error("batch", "a positive batch size expected, got \(batch)") }
            func embed(_ x: Tensor, _ what: String) throws -> Tensor {
                guard x.rank >= 1, x.shape[0] >= 2 else { throw ScriptError("frechet_distance: \(what) needs at least 2 rows, got shape \(x.shape)") }
                guard let features else { return try x.reshape([x.shape[0], x.count / x.shape[0]]) }
                let parts = try stride(from: 0, to: x.shape[0], by: batch).map { start -> Tensor in
                    let rows = try x.slice(axis: 0, start: start, stop: Swift.min(start + batch, x.shape[0]))
                    let out = try Engine.withNoGrad {
                        try c.call(features, Arguments([.tensor(rows)], functionName: "features"))
                    }
                    guard case .native(let object as TensorObject) = out, object.tensor.rank >= 1,
                          object.tensor.shape[0] == rows.shape[0] else {
                        throw ScriptError("features must return a tensor with one row per input row, got \(out.typeName)")
                    }
                    return try object.tensor.reshape([rows.shape[0], object.tensor.count / rows.shape[0]])
                }
                return try Tensor.cat(parts, axis: 0)
            }
            let x = try embed(samples, "samples"), y = try embed(data, "data")
            return .number(try FrechetDistance.distance(x, y))
        },
    ]

    /// The V-statistic of the energy distance between the rows of x and y (Euclidean norms, float64).
    static func energyDistance(_ x: Tensor, _ y: Tensor) -> Double {
        let d = x.shape[1]
        func meanDistance(_ a: [Float], _ na: Int, _ b: [Float], _ nb: Int) -> Double {
            var total = 0.0
            for i in 0..<na {
                var row = 0.0
                for j in 0..<nb {
                    var s: Float = 0
                    for k in 0..<d { let v = a[i * d + k] - b[j * d + k]; s += v * v }
                    row += Double(s.squareRoot())
                }
                total += row
            }
            return total / (Double(na) * Double(nb))
        }
        let n = x.shape[0], m = y.shape[0]
        return 2 * meanDistance(x.scalars, n, y.scalars, m) - meanDistance(x.scalars, n, x.scalars, n)
            - meanDistance(y.scalars, m, y.scalars, m)
    }
}
