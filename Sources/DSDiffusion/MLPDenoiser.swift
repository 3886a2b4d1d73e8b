import DSEngine

/// A denoiser for points in R^dim (SPEC §8 `mlp_denoiser`): the sinusoidal embedding of t
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
        let embedding = try timestepEmbedding(Tensor(shape: [batch], scalars: steps), dim: timeDim,
                                              flipSinToCos: true, freqShift: 0)
        return try net.forward(try Tensor.cat([x, embedding], axis: 1))
    }

    /// One tensor alone cannot say its timestep.
    public override func forward(_ x: Tensor) throws -> Tensor {
        throw DiffusionError("mlp_denoiser is called as model(x, t)")
    }
}
