import DSEngine
import DSLimits
import Foundation

/// One batch of the denoising objective with the random draws it used.
public struct DiffusionLossResult {
    /// The scalar loss; gradients flow into whatever the model's output depends on.
    public let loss: Tensor
    /// The timestep drawn for each sample.
    public let t: [Int]
    /// The weight applied to each sample (`diffusionLossWeights`).
    public let weights: [Double]
}

/// The training loss of DDPM's Algorithm 1, generalised to ε / x0 / v targets and min-SNR weighting:
/// x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε, loss = mean_b( w_b · mean_i (model(x_t, t)_i − target_i)² ).
///
/// `x0` and `noise` are data (constants for autograd); the graph runs through the model output only.
/// `t` holds one timestep per sample (or one for the whole batch). With `weighting: .none` and ε
/// prediction this is L_simple, the mean squared error of diffusers' training examples.
public func diffusionLoss(_ model: DenoiserModel, schedule: Schedule, x0: Tensor, t: [Int], noise: Tensor,
                          prediction: Prediction = .eps, weighting: LossWeighting = .none,
                          gamma: Double = 5) throws -> DiffusionLossResult {
    guard x0.rank >= 1, x0.shape[0] >= 1 else {
        throw DiffusionError("diffusion_loss needs a batch of samples (shape [B, ...]), got shape \(x0.shape)")
    }
    let batch = x0.shape[0]
    let perSample = t.count == 1 ? [Int](repeating: t[0], count: batch) : t
    let xt = try schedule.qSample(x0, t: perSample, noise: noise)
    let target: Tensor
    switch prediction {
    case .eps: target = noise
    case .x0: target = x0
    case .v: target = try schedule.vTarget(x0: x0, t: perSample, eps: noise)
    }
    let weights = try diffusionLossWeights(schedule, t: perSample, prediction: prediction, weighting: weighting, gamma: gamma)
    let output = try model(xt, perSample)
    try Check.sameShape(output.shape, x0.shape, "model output", "x0")
    let squared = try output.sub(target.detach()).square()
    let perSampleLoss = x0.rank > 1 ? try squared.mean(axes: Array(1..<x0.rank)) : squared
    let weighted = try perSampleLoss.mul(Tensor(shape: [batch], scalars: weights.map { Float($0) }))
    return DiffusionLossResult(loss: try weighted.mean(), t: perSample, weights: weights)
}

/// `diffusionLoss` drawing t ~ U{0, …, T−1} per sample and ε ~ N(0, I) from `generator`
/// (t first, then ε, so a seed reproduces both).
public func diffusionLoss(_ model: DenoiserModel, schedule: Schedule, x0: Tensor, generator: RandomGenerator,
                          prediction: Prediction = .eps, weighting: LossWeighting = .none,
                          gamma: Double = 5) throws -> DiffusionLossResult {
    try diffusionLoss({ xt, t, _ in try model(xt, t) }, schedule: schedule, x0: x0, classLabels: nil,
                      generator: generator, prediction: prediction, weighting: weighting, gamma: gamma)
}

/// A model that takes class labels: (x_t, one timestep per sample, one label per sample or nil).
public typealias LabelledDenoiserModel = (_ xt: Tensor, _ t: [Int], _ classLabels: [Int]?) throws -> Tensor

/// How labels are dropped while training for classifier-free guidance (Ho & Salimans 2022): each
/// label is replaced by `nullLabel` with probability `probability`, so one network learns both the
/// conditional and the unconditional model.
public struct LabelDropout {
    public var probability: Double
    public var nullLabel: Int

    public init(probability: Double, nullLabel: Int) throws {
        guard probability.isFinite, probability >= 0, probability <= 1 else {
            throw DiffusionError("cond_drop must lie in [0, 1], got \(NumberText.plain(probability))")
        }
        self.probability = probability
        self.nullLabel = nullLabel
    }

    /// The labels with each replaced by the null label when its uniform draw falls below the probability.
    public func apply(_ labels: [Int], generator: RandomGenerator) -> [Int] {
        guard probability > 0 else { return labels }
        let u = generator.uniform(labels.count)
        return labels.indices.map { Double(u[$0]) < probability ? nullLabel : labels[$0] }
    }
}

/// `diffusionLoss` for a model that takes class labels: t and ε are drawn as in the unlabelled loss, then
/// (with `dropout`) one uniform per sample decides which labels become the null label.
public func diffusionLoss(_ model: LabelledDenoiserModel, schedule: Schedule, x0: Tensor,
                          classLabels: [Int]?, dropout: LabelDropout? = nil, generator: RandomGenerator,
                          prediction: Prediction = .eps, weighting: LossWeighting = .none,
                          gamma: Double = 5) throws -> DiffusionLossResult {
    guard x0.rank >= 1, x0.shape[0] >= 1 else {
        throw DiffusionError("diffusion_loss needs a batch of samples (shape [B, ...]), got shape \(x0.shape)")
    }
    let batch = x0.shape[0]
    var labels = classLabels
    if let given = labels {
        guard given.count == batch || given.count == 1 else {
            throw DiffusionError("class_labels has \(given.count) labels for a batch of \(batch)")
        }
        labels = given.count == 1 ? [Int](repeating: given[0], count: batch) : given
    } else if dropout != nil {
        throw DiffusionError("cond_drop needs class_labels")
    }
    let T = schedule.T
    let t = generator.uniform(batch).map { min(Int(Double($0) * Double(T)), T - 1) }
    let noise = Tensor.randnLike(x0, generator: generator)
    if let dropout, let given = labels { labels = dropout.apply(given, generator: generator) }
    let used = labels
    return try diffusionLoss({ xt, steps in try model(xt, steps, used) }, schedule: schedule, x0: x0, t: t, noise: noise,
                             prediction: prediction, weighting: weighting, gamma: gamma)
}
