import DSEngine

/// A small fully connected VAE for vectors and flattened images (Kingma & Welling):
/// `encoder` (linear → SiLU → linear → SiLU) → `to_mean`, `to_logvar`; `decoder` (linear → SiLU →
/// linear → SiLU → linear). The likelihood is `gaussian` (unit variance: ½‖x − x̂‖²) or `bernoulli`
/// (x in [0, 1], decoder outputs logits; `decode` returns probabilities).
public final class MLPVAE: Module {
    public let inDim: Int, hidden: Int, latent: Int, bernoulli: Bool
    let encoder: Sequential, toMean: Linear, toLogvar: Linear, decoder: Sequential

    public override var typeName: String { "VAE" }

    public init(inDim: Int, hidden: Int, latent: Int, likelihood: String = "gaussian", generator: RandomGenerator) throws {
        guard inDim >= 1, hidden >= 1, latent >= 1 else {
            throw DiffusionError("vae: in_dim, hidden and latent must be positive, got \(inDim), \(hidden), \(latent)")
        }
        guard ["gaussian", "bernoulli"].contains(likelihood) else {
            throw DiffusionError("vae: likelihood must be 'gaussian' or 'bernoulli', got '\(likelihood)'")
        }
        (self.inDim, self.hidden, self.latent, bernoulli) = (inDim, hidden, latent, likelihood == "bernoulli")
        encoder = Sequential([try Linear(inDim, hidden, generator: generator), Activation.silu(),
                              try Linear(hidden, hidden, generator: generator), Activation.silu()])
        toMean = try Linear(hidden, latent, generator: generator)
        toLogvar = try Linear(hidden, latent, generator: generator)
        decoder = Sequential([try Linear(latent, hidden, generator: generator), Activation.silu(),
                              try Linear(hidden, hidden, generator: generator), Activation.silu(),
                              try Linear(hidden, inDim, generator: generator)])
        super.init()
        registerModule("encoder", encoder)
        registerModule("to_mean", toMean)
        registerModule("to_logvar", toLogvar)
        registerModule("decoder", decoder)
    }

    /// Flattens [N, ...] input to [N, in_dim], checking the size.
    func flat(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1 else { throw DiffusionError("vae: input must have a batch axis, got a scalar") }
        let rows = x.rank == 1 ? 1 : x.shape[0]
        guard x.count == rows * inDim else {
            throw DiffusionError("vae: input of shape \(x.shape) has \(rows > 0 ? x.count / rows : 0) values per sample, the model expects in_dim = \(inDim)")
        }
        return try x.reshape([rows, inDim])
    }

    /// The approximate posterior's mean and log-variance, each [N, latent].
    public func encode(_ x: Tensor) throws -> (mean: Tensor, logvar: Tensor) {
        let h = try encoder(flat(x))
        return (try toMean(h), try toLogvar(h))
    }

    /// The decoder's output for latents [N, latent]: the mean (gaussian) or probabilities (bernoulli).
    public func decode(_ z: Tensor) throws -> Tensor {
        let logits = try decodeRaw(z)
        return bernoulli ? logits.sigmoid() : logits
    }

    func decodeRaw(_ z: Tensor) throws -> Tensor {
        guard z.rank == 2, z.shape[1] == latent else {
            throw DiffusionError("vae: latents must be [N, \(latent)], got shape \(z.shape)")
        }
        return try decoder(z)
    }

    /// The reconstruction of x through the posterior mean.
    public override func forward(_ x: Tensor) throws -> Tensor { try decode(encode(x).mean).reshape(x.shape) }

    /// The negative ELBO of a batch, averaged over samples: `recon` (−log p(x | z), one sample
    /// z = μ + σ·ε) + `kl` (KL(q(z | x) ‖ N(0, I))). All pieces keep their gradients.
    public func loss(_ x: Tensor, generator: RandomGenerator)
        throws -> (loss: Tensor, recon: Tensor, kl: Tensor, mean: Tensor, logvar: Tensor, z: Tensor, xHat: Tensor) {
        let target = try flat(x)
        let (mean, logvar) = try encode(target)
        let eps = Tensor.randnLike(mean, generator: generator)
        let z = try mean.add(logvar.mul(0.5).exp().mul(eps))
        let out = try decodeRaw(z)
        let recon: Tensor
        if bernoulli {
            // log(1 + e^o) − x·o, written stably as relu(o) − x·o + log(1 + e^−|o|)
            let softplus = try out.relu().add(out.abs().neg().exp().add(1).log())
            recon = try softplus.sub(target.mul(out)).sum(axis: 1).mean()
        } else {
            recon = try target.sub(out).square().sum(axis: 1).mul(0.5).mean()
        }
        let kl = try mean.square().add(logvar.exp()).sub(1).sub(logvar).mul(0.5).sum(axis: 1).mean()
        return (try recon.add(kl), recon, kl, mean, logvar, z, bernoulli ? out.sigmoid() : out)
    }
}
