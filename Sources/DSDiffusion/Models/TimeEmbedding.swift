import DSEngine

/// diffusers' `TimestepEmbedding`: `linear_1` → activation (SiLU unless the model's `act_fn` says
/// otherwise) → `linear_2`.
public final class TimestepEmbedding: Module {
    let linear1: Linear, linear2: Linear
    let act: ActivationFunction

    init(inDim: Int, dim: Int, act: ActivationFunction = ActivationFunction("silu"), generator: RandomGenerator) throws {
        self.act = act
        linear1 = try Linear(inDim, dim, generator: generator)
        linear2 = try Linear(dim, dim, generator: generator)
        super.init()
        registerModule("linear_1", linear1)
        registerModule("linear_2", linear2)
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try linear2(act.apply(linear1(x))) }
}

/// The time (and class) embedding of a UNet's forward pass: sinusoidal projection of one timestep
/// per sample, `TimestepEmbedding`, plus the class embedding of the labels when the model has one.
struct UNetTime {
    let embedding: TimestepEmbedding, classes: ClassEmbedding?
    let dim: Int, flipSinToCos: Bool, freqShift: Float
    /// The model's name in messages (`unet`, `unet_2d_condition`).
    let owner: String

    func embed(_ t: Tensor, batch n: Int, classLabels: Tensor?) throws -> Tensor {
        let steps: Tensor
        if t.count == 1 {
            steps = try Tensor.full([n], t.scalars[0])
        } else {
            guard t.count == n else { throw DiffusionError("\(owner): \(t.count) timesteps for a batch of \(n) samples") }
            steps = try t.reshape([n])
        }
        let emb = try embedding(timestepEmbedding(steps, dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift))
        if let classes {
            guard let classLabels else {
                throw DiffusionError("\(owner): this model is class-conditional (\(classes.describe)); call it as model(x, t, class_labels: y)")
            }
            do {
                return try emb.add(classes.embed(classLabels, batch: n, flipSinToCos: flipSinToCos, freqShift: freqShift))
            } catch let error as DiffusionError {
                throw DiffusionError("\(owner): \(error.message)")
            }
        }
        guard classLabels == nil else {
            throw DiffusionError("\(owner): class_labels given to a model without class conditioning (its config has no num_class_embeds or class_embed_type)")
        }
        return emb
    }
}

/// diffusers' `UNet2DModel.class_embedding`: an `nn.Embedding(num_class_embeds, time_embed_dim)`
/// (`class_embed_type` null), a `TimestepEmbedding` of the labels' sinusoidal projection (`"timestep"`),
/// or the labels themselves, vectors of the time embedding's size (`"identity"`). The result is added
/// to the time embedding.
public struct ClassEmbedding {
    public enum Kind: String { case table = "embedding", timestep, identity }
    public let kind: Kind
    /// The module holding the weights (`class_embedding.*`), nil for `identity`.
    let module: Module?
    let count: Int?, dim: Int, inDim: Int

    /// Nil when the config asks for no class conditioning; every other `class_embed_type` is refused.
    init?(config c: ModelConfig, inDim: Int, dim: Int, act: ActivationFunction = ActivationFunction("silu"),
          generator: RandomGenerator) throws {
        let type = try c.optionalString("class_embed_type")
        let count = try c.optionalInt("num_class_embeds")
        (self.count, self.dim, self.inDim) = (count, dim, inDim)
        switch type {
        case nil:
            guard let count else { return nil }
            kind = .table
            module = try Embedding(count, dim, generator: generator)
        case "timestep"?:
            kind = .timestep
            module = try TimestepEmbedding(inDim: inDim, dim: dim, act: act, generator: generator)
        case "identity"?:
            kind = .identity
            module = nil
        case let other?:
            throw c.fail("class_embed_type", "is '\(other)'; supported: null (with num_class_embeds), 'timestep', 'identity'")
        }
    }

    var describe: String {
        switch kind {
        case .table: return "num_class_embeds = \(count ?? 0)"
        case .timestep: return "class_embed_type = \"timestep\""
        case .identity: return "class_embed_type = \"identity\", labels [N, \(dim)]"
        }
    }

    /// The embedding of `labels` for a batch of `batch`, shaped [batch or 1, dim].
    func embed(_ labels: Tensor, batch: Int, flipSinToCos: Bool, freqShift: Float) throws -> Tensor {
        switch kind {
        case .table, .timestep:
            guard labels.rank <= 1, labels.count == batch || labels.count == 1 else {
                throw DiffusionError("class_labels must hold one label per sample (\(batch)) or one for all, got shape \(labels.shape)")
            }
            let flat = try labels.reshape([labels.count])
            guard let module else { return flat }
            if kind == .table {
                do { return try module.forward(flat) } catch let error as TensorError {
                    throw DiffusionError("class_labels: \(error.message) (num_class_embeds = \(count ?? 0))")
                }
            }
            return try module.forward(timestepEmbedding(flat, dim: inDim, flipSinToCos: flipSinToCos, freqShift: freqShift))
        case .identity:
            guard labels.rank == 2, labels.shape[1] == dim, labels.shape[0] == batch || labels.shape[0] == 1 else {
                throw DiffusionError("class_embed_type \"identity\" takes class_labels of shape [\(batch), \(dim)], got \(labels.shape)")
            }
            return labels
        }
    }
}
