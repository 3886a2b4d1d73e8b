import DSEngine
import DSLimits
import Foundation

/// What one reverse step returns: the next (less noisy) sample and the predicted clean sample.
public struct StepResult {
    /// x_{t_prev}, diffusers' `prev_sample`.
    public let xPrev: Tensor
    /// x̂_0 after clipping or thresholding, diffusers' `pred_original_sample`.
    public let x0: Tensor
}

/// Imagen's dynamic thresholding of x̂_0 (diffusers' `thresholding=True`).
///
/// Per sample: s = quantile(|x̂_0|, ratio) clamped to [1, maxValue]; x̂_0 ← clamp(x̂_0, −s, s) / s.
/// With the default maxValue 1 this is plain clipping to [−1, 1].
public struct DynamicThreshold: Equatable, Sendable {
    public var ratio: Double
    public var maxValue: Double

    public init(ratio: Double = 0.995, maxValue: Double = 1.0) throws {
        guard ratio.isFinite, ratio > 0, ratio <= 1 else {
            throw DiffusionError("threshold ratio must lie in (0, 1], got \(NumberText.plain(ratio))")
        }
        guard maxValue.isFinite, maxValue >= 1 else {
            throw DiffusionError("threshold max value must be a number ≥ 1, got \(NumberText.plain(maxValue))")
        }
        self.ratio = ratio
        self.maxValue = maxValue
    }
}

/// How x̂_0 is limited before the update: thresholding takes precedence over clipping, as in diffusers.
struct X0Limit {
    let clip: Bool
    let clipRange: Double
    let threshold: DynamicThreshold?

    init(clip: Bool, clipRange: Double, threshold: DynamicThreshold?) throws {
        guard clipRange.isFinite, clipRange > 0 else {
            throw DiffusionError("clip range must be a positive number, got \(NumberText.plain(clipRange))")
        }
        self.clip = clip
        self.clipRange = clipRange
        self.threshold = threshold
    }

    /// Applies the limit in place; `x0` has `batch` samples laid out one after another.
    func apply(_ x0: inout [Double], batch: Int) {
        if let threshold {
            let inner = x0.count / max(batch, 1)
            guard inner > 0 else { return }
            for b in 0..<batch {
                let range = (b * inner)..<((b + 1) * inner)
                let sorted = x0[range].map { Swift.abs($0) }.sorted()
                let s = min(max(X0Limit.quantile(sorted, threshold.ratio), 1), threshold.maxValue)
                for i in range { x0[i] = min(max(x0[i], -s), s) / s }
            }
        } else if clip {
            for i in x0.indices { x0[i] = min(max(x0[i], -clipRange), clipRange) }
        }
    }

    /// torch.quantile's default (linear interpolation between the two nearest ranks) on sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let weight = position - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * weight
    }
}

/// Shape and argument checks shared by the step functions.
enum StepCheck {
    static func tensors(modelOutput: Tensor, xt: Tensor, noise: Tensor?) throws {
        try Check.sameShape(modelOutput.shape, xt.shape, "model output", "x_t")
        if let noise { try Check.sameShape(noise.shape, xt.shape, "noise", "x_t") }
    }

    /// The previous timestep must come before `t`; any negative value means "after the last step".
    static func previous(_ tPrev: Int, before t: Int, in schedule: Schedule) throws {
        try schedule.checkTimestep(t)
        if tPrev >= 0 { try schedule.checkTimestep(tPrev) }
        guard tPrev < t else { throw DiffusionError("previous timestep \(tPrev) must be smaller than t = \(t)") }
    }
}

extension Tensor {
    /// The scalars widened to Float64.
    var doubles: [Double] { scalars.map(Double.init) }

    /// A tensor of this shape from Float64 values (rounded to Float32).
    convenience init(shape: [Int], doubles: [Double]) {
        self.init(shape: shape, scalars: doubles.map { Float($0) })
    }
}
