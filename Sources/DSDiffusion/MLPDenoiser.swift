import DSEngine

/// A denoiser for points in R^dim (`mlp_denoiser`, docs/builtins.md § Models): the sinusoidal embedding of t
/// (`timeDim` features, diffusers' `get_timestep_embedding` with `flip_sin_to_cos`, shift 0) is
/// concatenated with x, then `layers` hidden layers of width `hidden` with SiLU, then a linear
/// layer back to `dim`. Built from engine modules, so autograd, optimizers and state dicts just work.
///
/// Parameter names: `net.0.weight`, `net.0.bias`, … `net.{2·layers}.weight` (a `Sequential` of
/// Linear / SiLU pairs, the same names as the PyTorch module `nn.Sequential` in `scripts/bench-toy2d`).
public final class MLPDenoiser: Module {
    public let dim: Int
    public let hidden: Int
    public let layers: Int
    public let timeDim: Int
    let net: Sequential
    /// Embedding rows of the integer timesteps 0 ..< table.count / timeDim, made on first use (the same
    /// numbers as `timestepEmbedding`, which costs sin/cos per element on every call otherwise).
    private var table: [Float] = []
    /// Integer timesteps below this are served from `table`.
    static let tableLimit = 100_000

    /// Makes the network, initialising the linear layers from `generator` (PyTorch's default rule).
    public init(dim: Int = 2, hidden: Int = 128, layers: Int = 3, timeDim: Int = 32, generator: RandomGenerator) throws {
        for (name, value) in [("dim", dim), ("hidden", hidden), ("layers", layers), ("time_dim", timeDim)] {
            guard value >= 1, value <= 1 << 16 else {
                throw DiffusionError("mlp_denoiser: \(name) must be between 1 and 65536, got \(value)")
            }
        }
        self.dim = dim
        self.hidden = hidden
        self.layers = layers
        self.timeDim = timeDim
        var modules: [Module] = []
        var width = dim + timeDim
        for _ in 0..<layers {
            modules.append(try Linear(width, hidden, generator: generator))
            modules.append(Activation.silu())
            width = hidden
        }
        modules.append(try Linear(width, dim, generator: generator))
        net = Sequential(modules)
        super.init()
        _ = registerModule("net", net)
    }

    public override var typeName: String { "MLPDenoiser" }

    /// ε̂ (or whatever the model was trained to predict) for points x [B, dim] at timesteps t (one or B values).
    public func forward(_ x: Tensor, t: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == dim else {
            throw DiffusionError("mlp_denoiser: x must have shape [batch, \(dim)], got \(x.shape)")
        }
        let batch = x.shape[0]
        var steps = t.scalars
        if steps.count == 1 && batch != 1 { steps = [Float](repeating: steps[0], count: batch) }
        guard steps.count == batch else {
            throw DiffusionError("mlp_denoiser: expected 1 timestep or \(batch) (one per sample), got \(steps.count)")
        }
        return try net.forward(try Tensor.cat([x, try embed(steps)], axis: 1))
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
