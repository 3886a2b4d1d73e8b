import DSEngine

/// A denoiser for points in R^dim (`mlp_denoiser`, docs/builtins.md § Models): the sinusoidal embedding of t
/// (`timeDim` features, diffusers' `get_timestep_embedding` with `flip_sin_to_cos`, shift 0) is
/// concatenated with x, then `layers` hidden layers of width `hidden` with SiLU, then a linear
/// layer back to `dim`. Built from engine modules, so autograd, optimizers and state dicts just work.
///
/// Parameter names: `net.0.weight`, `net.0.bias`, … `net.{2·layers}.weight` (a `Sequential` of
/// Linear / SiLU pairs, the same names as the PyTorch module `nn.Sequential` in `scripts/bench-toy2d`).
///
/// With `numClasses` K the model is class-conditional: a learned label embedding (`label_embedding.weight`,
/// K + 1 rows of `timeDim`) is concatenated after the time embedding. Row K is the null label, used for
/// calls without labels and for the labels dropped in training (classifier-free guidance).
public final class MLPDenoiser: Module {
    public let dim: Int
    public let hidden: Int
    public let layers: Int
    public let timeDim: Int
    /// K for a class-conditional model (labels 0 ..< K, null label K), nil otherwise.
    public let numClasses: Int?
    let net: Sequential
    let labelEmbedding: Embedding?
    /// Embedding rows of the integer timesteps 0 ..< table.count / timeDim, made on first use (the same
    /// numbers as `timestepEmbedding`, which costs sin/cos per element on every call otherwise).
    private var table: [Float] = []
    /// Integer timesteps below this are served from `table`.
    static let tableLimit = 100_000

    /// Makes the network, initialising the linear layers from `generator` (PyTorch's default rule).
    public init(dim: Int = 2, hidden: Int = 128, layers: Int = 3, timeDim: Int = 32, numClasses: Int? = nil,
                generator: RandomGenerator) throws {
        for (name, value) in [("dim", dim), ("hidden", hidden), ("layers", layers), ("time_dim", timeDim),
                              ("num_classes", numClasses ?? 1)] {
            guard value >= 1, value <= 1 << 16 else {
                throw DiffusionError("mlp_denoiser: \(name) must be between 1 and 65536, got \(value)")
            }
        }
        self.dim = dim
        self.hidden = hidden
        self.layers = layers
        self.timeDim = timeDim
        self.numClasses = numClasses
        var modules: [Module] = []
        var width = dim + timeDim + (numClasses == nil ? 0 : timeDim)
        for _ in 0..<layers {
            modules.append(try Linear(width, hidden, generator: generator))
            modules.append(Activation.silu())
            width = hidden
        }
        modules.append(try Linear(width, dim, generator: generator))
        net = Sequential(modules)
        labelEmbedding = try numClasses.map { try Embedding($0 + 1, timeDim, generator: generator) }
        super.init()
        _ = registerModule("net", net)
        if let labelEmbedding { _ = registerModule("label_embedding", labelEmbedding) }
    }

    /// The label that stands for "no label" (K), nil for an unconditional model.
    public var nullLabel: Int? { numClasses }

    public override var typeName: String { "MLPDenoiser" }

    /// ε̂ (or whatever the model was trained to predict) for points x [B, dim] at timesteps t (one or B
    /// values) and, for a conditional model, class labels (one or B values in 0 … K; none means K, the null label).
    public func forward(_ x: Tensor, t: Tensor, classLabels: [Int]? = nil) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == dim else {
            throw DiffusionError("mlp_denoiser: x must have shape [batch, \(dim)], got \(x.shape)")
        }
        let batch = x.shape[0]
        var steps = t.scalars
        if steps.count == 1 && batch != 1 { steps = [Float](repeating: steps[0], count: batch) }
        guard steps.count == batch else {
            throw DiffusionError("mlp_denoiser: expected 1 timestep or \(batch) (one per sample), got \(steps.count)")
        }
        var inputs = [x, try embed(steps)]
        if let labelEmbedding, let numClasses {
            var labels = classLabels ?? [numClasses]
            if labels.count == 1 && batch != 1 { labels = [Int](repeating: labels[0], count: batch) }
            guard labels.count == batch else {
                throw DiffusionError("mlp_denoiser: expected 1 class label or \(batch) (one per sample), got \(labels.count)")
            }
            if let bad = labels.first(where: { $0 < 0 || $0 > numClasses }) {
                throw DiffusionError("mlp_denoiser: class label \(bad) is outside 0 … \(numClasses) (\(numClasses) is the null label)")
            }
            inputs.append(try labelEmbedding.forward(Tensor(shape: [batch], scalars: labels.map(Float.init))))
        } else if classLabels != nil {
            throw DiffusionError("mlp_denoiser: this model has no classes (make it with num_classes: to pass class_labels)")
        }
        return try net.forward(try Tensor.cat(inputs, axis: 1))
    }

    /// The [B, timeDim] embedding of the timesteps, gathered from the cached table when they are integers.
    func embed(_ steps: [Float]) throws -> Tensor {
        let integral = steps.allSatisfy { $0 >= 0 && $0 < Float(MLPDenoiser.tableLimit) && $0.rounded() == $0 }
        guard integral, let largest = steps.max() else {
            return try timestepEmbedding(Tensor(shape: [steps.count], scalars: steps), dim: timeDim, flipSinToCos: true, freqShift: 0)
        }
        let rows = table.count / timeDim
        if Int(largest) >= rows {
            let size = Swift.max(Int(largest) + 1, 1024)
            let all = Tensor(shape: [size], scalars: (0..<size).map(Float.init))
            table = try timestepEmbedding(all, dim: timeDim, flipSinToCos: true, freqShift: 0).scalars
        }
        var out = [Float](repeating: 0, count: steps.count * timeDim)
        table.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (i, t) in steps.enumerated() {
                    let from = Int(t) * timeDim
                    for j in 0..<timeDim { target[i * timeDim + j] = source[from + j] }
                }
            }
        }
        return Tensor(shape: [steps.count, timeDim], scalars: out)
    }

    /// One tensor alone cannot say its timestep.
    public override func forward(_ x: Tensor) throws -> Tensor {
        throw DiffusionError("mlp_denoiser is called as model(x, t)")
    }
}
