import DSLimits

/// How the samplers of a schedule turn model outputs into steps: the settings of diffusers'
/// `DDPMScheduler` / `DDIMScheduler` that are not part of the betas (`prediction_type`,
/// `clip_sample`, `thresholding`, `timestep_spacing`, `steps_offset`, `set_alpha_to_one`,
/// `variance_type`). A `Schedule` carries one; `load_scheduler` fills it from a scheduler config and
/// every step and sampler reads it unless the caller overrides a field.
///
/// The defaults are dscript's (and diffusers' except for one key): ε-prediction, no clipping
/// (diffusers' schedulers default to `clip_sample=True`; `load_scheduler` takes it from the file,
/// where real configs write it), leading spacing without offset, ᾱ = 1 after the last DDIM step,
/// the posterior variance β̃_t for DDPM.
public struct SamplerSettings: Equatable, Sendable {
    /// What the model predicts (`prediction_type`).
    public var prediction: Prediction
    /// Clamp x̂_0 to ±`clipRange` before the update (`clip_sample`, `clip_sample_range`).
    public var clip: Bool
    public var clipRange: Double
    /// Imagen's dynamic thresholding of x̂_0 (`thresholding`, `dynamic_thresholding_ratio`,
    /// `sample_max_value`); it takes precedence over `clip`, as in diffusers.
    public var threshold: DynamicThreshold?
    /// How a shorter sampler picks its timesteps (`timestep_spacing`).
    public var spacing: TimestepSpacing
    /// Added to `leading` timesteps (`steps_offset`).
    public var stepsOffset: Int
    /// ᾱ after the last DDIM step: 1, or ᾱ_0 when false (`set_alpha_to_one`).
    public var setAlphaToOne: Bool
    /// The variance of DDPM's reverse step (`variance_type`).
    public var variance: VarianceType

    public init(prediction: Prediction = .eps, clip: Bool = false, clipRange: Double = 1,
                threshold: DynamicThreshold? = nil, spacing: TimestepSpacing = .leading, stepsOffset: Int = 0,
                setAlphaToOne: Bool = true, variance: VarianceType = .fixedSmall) {
        self.prediction = prediction
        self.clip = clip
        self.clipRange = clipRange
        self.threshold = threshold
        self.spacing = spacing
        self.stepsOffset = stepsOffset
        self.setAlphaToOne = setAlphaToOne
        self.variance = variance
    }

    /// Throws unless the values can be used (a positive clip range, an offset ≥ 0).
    public func validate() throws {
        guard clipRange.isFinite, clipRange > 0 else {
            throw DiffusionError("clip range must be a positive number, got \(NumberText.plain(clipRange))")
        }
        guard stepsOffset >= 0 else { throw DiffusionError("steps_offset must be ≥ 0, got \(stepsOffset)") }
    }

    /// How x̂_0 is limited before an update.
    var x0Limit: X0Limit {
        get throws { try X0Limit(clip: clip, clipRange: clipRange, threshold: threshold) }
    }
}
