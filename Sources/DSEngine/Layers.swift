import CKernels
import Foundation

/// Draws PyTorch's default initialisation: U(−1/√fanIn, 1/√fanIn) (kaiming_uniform with a = √5 for
/// weights gives the same bound as the bias rule).
func defaultInit(_ shape: [Int], fanIn: Int, generator: RandomGenerator) throws -> Tensor {
    let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    return try Tensor.uniform(shape, low: -bound, high: bound, generator: generator)
}

/// `y = x·Wᵀ + b`, weight [out, in], as `torch.nn.Linear`.
public final class Linear: Module {
    public let inFeatures: Int, outFeatures: Int
    public var weight: Tensor { ownParameters[0].tensor }
    public var bias: Tensor? { ownParameters.count > 1 ? ownParameters[1].tensor : nil }

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator) throws {
        guard inFeatures >= 0, outFeatures >= 0 else { throw TensorError("linear: feature counts must be non-negative") }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        super.init()
        registerParameter("weight", try defaultInit([outFeatures, inFeatures], fanIn: inFeatures, generator: generator))
        if bias { registerParameter("bias", try defaultInit([outFeatures], fanIn: inFeatures, generator: generator)) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try Tensor.linear(x, weight: weight, bias: bias) }
}

/// 2-D convolution, weight [out, in/groups, k, k], as `torch.nn.Conv2d`.
public final class Conv2d: Module {
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int, dilation: Int, groups: Int
    public var weight: Tensor { ownParameters[0].tensor }
    public var bias: Tensor? { ownParameters.count > 1 ? ownParameters[1].tensor : nil }

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator) throws {
        guard inChannels > 0, outChannels > 0, kernelSize > 0, groups > 0,
              inChannels % groups == 0, outChannels % groups == 0 else {
            throw TensorError("conv2d: invalid channels \(inChannels)→\(outChannels), kernel \(kernelSize), groups \(groups)")
        }
        guard stride >= 1, padding >= 0, dilation >= 1 else {
            throw TensorError("conv2d: stride and dilation must be ≥ 1 and padding ≥ 0")
        }
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, kernelSize)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
        let fanIn = inChannels / groups * kernelSize * kernelSize
        registerParameter("weight", try defaultInit([outChannels, inChannels / groups, kernelSize, kernelSize],
                                                    fanIn: fanIn, generator: generator))
        if bias { registerParameter("bias", try defaultInit([outChannels], fanIn: fanIn, generator: generator)) }
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// Group normalisation with per-channel affine parameters (weight 1, bias 0), as `torch.nn.GroupNorm`.
public final class GroupNorm: Module {
    public let numGroups: Int, numChannels: Int, eps: Float

    public init(_ numGroups: Int, _ numChannels: Int, eps: Float = 1e-5, affine: Bool = true) throws {
        guard numGroups > 0, numChannels > 0, numChannels % numGroups == 0 else {
            throw TensorError("group_norm: \(numChannels) channels cannot be split into \(numGroups) groups")
        }
        (self.numGroups, self.numChannels, self.eps) = (numGroups, numChannels, eps)
        super.init()
        if affine {
            registerParameter("weight", try Tensor.ones([numChannels]))
            registerParameter("bias", try Tensor.zeros([numChannels]))
        }
    }

    public override func forward(_ x: Tensor) throws -> Tensor { try forward(x, silu: false) }

    /// The normalised input, followed by SiLU in the same pass when `silu` is set.
    public func forward(_ x: Tensor, silu: Bool) throws -> Tensor {
        try Tensor.groupNorm(x, groups: numGroups, weight: ownParameters.first?.tensor,
                             bias: ownParameters.count > 1 ? ownParameters[1].tensor : nil, eps: eps, silu: silu)
    }
}

/// Layer normalisation over the trailing `normalizedShape` (weight 1, bias 0), as `torch.nn.LayerNorm`.
public final class LayerNorm: Module {
    public let normalizedShape: [Int], eps: Float

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) throws {
        guard !normalizedShape.isEmpty, normalizedShape.allSatisfy({ $0 > 0 }) else {
            throw TensorError("layer_norm: invalid normalized shape \(normalizedShape)")
        }
        self.normalizedShape = normalizedShape
        self.eps = eps
        super.init()
        if elementwiseAffine {
            registerParameter("weight", try Tensor.ones(normalizedShape))
            registerParameter("bias", try Tensor.zeros(normalizedShape))
        }
    }

    public convenience init(_ dim: Int, eps: Float = 1e-5) throws { try self.init([dim], eps: eps) }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try Tensor.layerNorm(x, normalizedShape: normalizedShape, weight: ownParameters.first?.tensor,
                             bias: ownParameters.count > 1 ? ownParameters[1].tensor : nil, eps: eps)
    }
}

/// A lookup table of `count` vectors of `dim` floats, as `torch.nn.Embedding` (weights drawn from N(0, 1)):
/// integer indices of any shape → `indices.shape + [dim]`, gradients scatter-added into the rows used.
public final class Embedding: Module {
    public let count: Int, dim: Int
    public var weight: Tensor { ownParameters[0].tensor }

    public init(_ count: Int, _ dim: Int, generator: RandomGenerator) throws {
        guard count >= 1, dim >= 1 else { throw TensorError("embedding: count and dim must be positive, got \(count) and \(dim)") }
        (self.count, self.dim) = (count, dim)
        super.init()
        registerParameter("weight", try Tensor.randn([count, dim], generator: generator))
    }

    /// A table holding `weight` [count, dim] (itself, not a copy).
    public init(weight: Tensor) throws {
        guard weight.rank == 2, weight.shape[0] >= 1, weight.shape[1] >= 1 else {
            throw TensorError("embedding: weight must be [count, dim], got \(weight.shape)")
        }
        (count, dim) = (weight.shape[0], weight.shape[1])
        super.init()
        registerParameter("weight", weight)
    }

    public override func forward(_ indices: Tensor) throws -> Tensor {
        for v in indices.scalars where !(v >= 0 && v < Float(count) && v == v.rounded()) {
            let shown = v.rounded() == v && Swift.abs(v) < 1e15 ? String(Int(v)) : "\(v)"
            throw TensorError("embedding: index \(shown) is not an integer in [0, \(count))")
        }
        return try weight.gather(indices)
    }
}

/// Runs modules in order; children are named `0`, `1`, ... as `torch.nn.Sequential`.
public final class Sequential: Module {
    public init(_ modules: [Module]) {
        super.init()
        for (i, m) in modules.enumerated() { registerModule(String(i), m) }
    }

    public var layers: [Module] { children.map { $0.module } }

    public override func forward(_ x: Tensor) throws -> Tensor {
        try children.reduce(x) { h, child in
            try Engine.checkInterrupt()
            return try child.module.forward(h)
        }
    }
}

/// A parameter-free module applying a tensor function (activations, reshapes).
public final class Activation: Module {
    public let name: String
    let function: (Tensor) throws -> Tensor

    public init(_ name: String, _ function: @escaping (Tensor) throws -> Tensor) {
        self.name = name
        self.function = function
    }

    public override var typeName: String { name }
    public override func forward(_ x: Tensor) throws -> Tensor { try function(x) }

    public static func silu() -> Activation { Activation("SiLU") { $0.silu() } }
    public static func relu() -> Activation { Activation("ReLU") { $0.relu() } }
    public static func gelu(approximate: String = "none") -> Activation {
        Activation("GELU") { $0.gelu(approximate: approximate) }
    }
    public static func tanh() -> Activation { Activation("Tanh") { $0.tanh() } }
    public static func sigmoid() -> Activation { Activation("Sigmoid") { $0.sigmoid() } }
    public static func identity() -> Activation { Activation("Identity") { $0 } }
}

/// Sinusoidal timestep embedding exactly as diffusers' `get_timestep_embedding` (float32 steps):
/// `half = dim / 2`, `freqs = exp(−ln(maxPeriod)·arange(half) / (half − freqShift))`,
/// `emb = scale·t·freqs`, `[sin, cos]` (`[cos, sin]` when `flipSinToCos`), odd `dim` zero-padded.
/// Defaults are the function's (`flipSinToCos: false`, `freqShift: 1`); UNet2DModel uses true / 0.
public func timestepEmbedding(_ t: Tensor, dim: Int, flipSinToCos: Bool = false, freqShift: Float = 1,
                              scale: Float = 1, maxPeriod: Float = 10000) throws -> Tensor {
    guard t.rank <= 1 else { throw TensorError("timestep_embedding: timesteps must be 1-D, got shape \(t.shape)") }
    guard dim >= 1 else { throw TensorError("timestep_embedding: dim must be positive, got \(dim)") }
    let total = try Tensor.checkedAllocation([t.count, dim])
    let half = dim / 2
    let lnP = Float(Foundation.log(Double(maxPeriod)))
    let freqs: [Float] = (0..<half).map { Foundation.exp(-lnP * Float($0) / (Float(half) - freqShift)) }
    let ts = t.scalars, n = ts.count
    var out = [Float](repeating: 0, count: total)   // an odd dim leaves its last column 0
    var args = [Float](repeating: 0, count: half)
    out.withUnsafeMutableBufferPointer { po in
        guard let o0 = po.baseAddress, half > 0 else { return }
        for i in 0..<n {
            for j in 0..<half { args[j] = scale * (ts[i] * freqs[j]) }
            let row = o0 + i * dim
            // flip_sin_to_cos puts the cosines first.
            let (sines, cosines) = flipSinToCos ? (row + half, row) : (row, row + half)
            ck_sincos(args, sines, cosines, half)
        }
    }
    return Tensor(unchecked: [n, dim], out)
}
