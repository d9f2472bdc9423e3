/// The weights of one dense or conv layer as its operations read them.
public struct LRTWeights {
    /// θ, the posterior means: [out, in] (dense) or [out, in, k, k] (conv).
    public var theta: Tensor
    /// σ², the posterior variances, same shape as θ; made by ``LRTLayerOperations/weightVariance(theta:logSigma2:noise:into:)``.
    public var variance: Tensor
    /// b, [out]; deterministic, never inside the variance.
    public var bias: Tensor

    public init(theta: Tensor, variance: Tensor, bias: Tensor) {
        self.theta = theta
        self.variance = variance
        self.bias = bias
    }
}

/// Where a layer's backward pass writes (overwrites) its parameter gradients.
public struct LRTGradients {
    /// ∂L/∂θ: the mean path, plus for `.gaussian(α)` the variance path 2α·θ⊙∂L/∂σ².
    public var theta: Tensor
    /// ∂L/∂σ² (not yet ∂L/∂log σ² = σ²⊙∂L/∂σ²: the optimizer applies that factor). Left
    /// untouched under `.deterministic`.
    public var variance: Tensor
    /// ∂L/∂b.
    public var bias: Tensor

    public init(theta: Tensor, variance: Tensor, bias: Tensor) {
        self.theta = theta
        self.variance = variance
        self.bias = bias
    }
}

/// An activation a dense layer applies in its own pass instead of a layer of its own.
public enum FusedActivation: Equatable, Sendable {
    case none
    /// max(y, 0): saves a ReLU layer's two passes (and their launches on a device).
    case relu
}

/// What a conv layer applies in its own epilogue (forward) and gradient gather (backward)
/// instead of layers of its own.
public enum ConvActivation: Equatable, Sendable {
    case none
    /// max(y, 0), as ``FusedActivation/relu``.
    case relu
    /// max(y, 0), then 2×2 max-pooling with stride 2 (odd sizes rounded down), as a ReLU layer and a
    /// max-pool layer compute it, ties included. The layer writes only the pooled output and, in
    /// ``ConvWorkspace/argmax``, the window position of each pooled value: backward needs no more,
    /// since a pre-pool value gets the pooled gradient exactly when it is its window's argmax and
    /// the pooled value is > 0. Saves the pooling's two passes and the pre-pool activation.
    case reluMaxPool

    /// The shape of the output a conv layer of geometry `g` writes with this activation.
    public func outputShape(_ g: ConvGeometry) -> [Int] {
        self == .reluMaxPool ? [g.batch, g.outChannels, g.outHeight / 2, g.outWidth / 2] : g.outputShape
    }
}

extension LRTLayerOperations {
    /// A dense forward pass without a fused activation.
    public func denseForward(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                             output: Tensor, workspace: DenseWorkspace) throws {
        try denseForward(input: input, weights: weights, noise: noise, key: key, output: output, workspace: workspace, activation: .none)
    }

    /// A conv forward pass without a fused activation.
    public func convForward(input: Tensor, weights: LRTWeights, geometry: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                            output: Tensor, workspace: ConvWorkspace) throws {
        try convForward(input: input, weights: weights, geometry: geometry, noise: noise, key: key, output: output,
                        workspace: workspace, activation: .none)
    }

    /// A conv backward pass without a fused activation.
    public func convBackward(input: Tensor, weights: LRTWeights, geometry: ConvGeometry, noise: WeightNoise, gradOutput: Tensor,
                             workspace: ConvWorkspace, gradients: LRTGradients, gradInput: Tensor?) throws {
        try convBackward(input: input, weights: weights, geometry: geometry, noise: noise, gradOutput: gradOutput, output: gradOutput,
                         workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .none)
    }

    /// A dense backward pass without a fused activation.
    public func denseBackward(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor,
                              workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?) throws {
        try denseBackward(input: input, weights: weights, noise: noise, gradOutput: gradOutput, output: gradOutput,
                          workspace: workspace, gradients: gradients, gradInput: gradInput, activation: .none)
    }
}

/// Buffers a dense layer keeps between its forward and backward pass, allocated once.
/// The OpenCL backend's fused kernels need only `noiseScale` (they form x⊙x, v_out and the
/// masked gradient on the fly); the CPU backend, which works through BLAS, uses them all.
public struct DenseWorkspace {
    /// x⊙x, [batch, in]; backward may overwrite it once it has used it.
    public let inputSquared: Tensor
    /// v_out = (x⊙x)∗σ², [batch, out]; backward may overwrite it.
    public let variance: Tensor
    /// ε / (2√(v_out + 1e-8)), [batch, out]: turns ∂L/∂out into ∂L/∂v_out.
    public let noiseScale: Tensor
    /// The gradient before a fused ReLU, [batch, out] (the CPU backend's; the device masks on the fly).
    public let preActivationGradient: Tensor

    public init(backend: BackendCore, batch: Int, inputs: Int, outputs: Int) throws {
        inputSquared = try backend.allocate([batch, inputs])
        variance = try backend.allocate([batch, outputs])
        noiseScale = try backend.allocate([batch, outputs])
        preActivationGradient = try backend.allocate([batch, outputs])
    }
}

/// The shape of a stride-1 convolution over an NCHW batch.
public struct ConvGeometry: Equatable, Sendable {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernelSize: Int
    public var padding: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelSize: Int, padding: Int) {
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.padding = padding
    }

    public var outHeight: Int { height + 2 * padding - kernelSize + 1 }
    public var outWidth: Int { width + 2 * padding - kernelSize + 1 }
    /// Values per output image plane.
    public var outPlane: Int { outHeight * outWidth }
    /// Rows of the unfolded input: in·k·k.
    public var patchSize: Int { inChannels * kernelSize * kernelSize }
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    public var weightShape: [Int] { [outChannels, inChannels, kernelSize, kernelSize] }
}

/// The large buffers of a network's conv layers, which run one at a time and so can share them:
/// the unfolded input and its square, and the two GEMM results, each sized for the largest layer.
public struct ConvScratch {
    public let columns: Tensor
    public let columnsSquared: Tensor
    public let mean: Tensor
    public let variance: Tensor

    /// Scratch big enough for every geometry in `geometries`.
    public init(backend: BackendCore, geometries: [ConvGeometry]) throws {
        let columnCount = geometries.map { $0.patchSize * $0.batch * $0.outPlane }.max() ?? 1
        let rowCount = geometries.map { $0.outChannels * $0.batch * $0.outPlane }.max() ?? 1
        columns = try backend.allocate([columnCount])
        columnsSquared = try backend.allocate([columnCount])
        mean = try backend.allocate([rowCount])
        variance = try backend.allocate([rowCount])
    }
}

/// Buffers a conv layer keeps between its forward and backward pass, allocated once.
/// The layout is the backend's own business; both backends size them from here.
public struct ConvWorkspace {
    /// The unfolded input (im2col), [in·k·k, batch·outH·outW]; backward overwrites it
    /// (with the column gradients) once the weight gradients have read it.
    public let columns: Tensor
    /// The unfolded x⊙x, same shape; backward may reuse it.
    public let columnsSquared: Tensor
    /// GEMM results before the epilogue, [out, batch·outH·outW]: the mean and the variance pass.
    /// Backward reuses both as scratch (∂L/∂out and gv in this row order).
    public let mean: Tensor
    public let variance: Tensor
    /// ε / (2√(v_out + 1e-8)) in the (pre-pool) output's NCHW layout; always the layer's own.
    public let noiseScale: Tensor
    /// With ``ConvActivation/reluMaxPool``, the window position 0…3 (dy·2 + dx) of each pooled
    /// value, in the pooled output's shape, as a Float; nil otherwise. Always the layer's own.
    public let argmax: Tensor?
    /// True when the four buffers above are a ``ConvScratch`` other layers use between this
    /// layer's forward and backward: backward must unfold its input again first.
    public let sharesColumns: Bool

    /// A workspace of the layer's own, for a layer with `activation`.
    public init(backend: BackendCore, geometry g: ConvGeometry, activation: ConvActivation = .none) throws {
        let positions = g.batch * g.outPlane
        try self.init(backend: backend, geometry: g, activation: activation,
                      columns: try backend.allocate([g.patchSize, positions]), columnsSquared: try backend.allocate([g.patchSize, positions]),
                      mean: try backend.allocate([g.outChannels, positions]), variance: try backend.allocate([g.outChannels, positions]),
                      sharesColumns: false)
    }

    /// A workspace whose large buffers are views of `scratch`, shared with other layers.
    public init(backend: BackendCore, geometry g: ConvGeometry, activation: ConvActivation = .none, sharing scratch: ConvScratch) throws {
        let positions = g.batch * g.outPlane
        try self.init(backend: backend, geometry: g, activation: activation,
                      columns: scratch.columns.slice(from: 0, shape: [g.patchSize, positions]),
                      columnsSquared: scratch.columnsSquared.slice(from: 0, shape: [g.patchSize, positions]),
                      mean: scratch.mean.slice(from: 0, shape: [g.outChannels, positions]),
                      variance: scratch.variance.slice(from: 0, shape: [g.outChannels, positions]),
                      sharesColumns: true)
    }

    private init(backend: BackendCore, geometry g: ConvGeometry, activation: ConvActivation,
                 columns: Tensor, columnsSquared: Tensor, mean: Tensor, variance: Tensor, sharesColumns: Bool) throws {
        self.columns = columns
        self.columnsSquared = columnsSquared
        self.mean = mean
        self.variance = variance
        noiseScale = try backend.allocate(g.outputShape)
        argmax = activation == .reluMaxPool ? try backend.allocate(activation.outputShape(g)) : nil
        self.sharesColumns = sharesColumns
    }
}

/// Dense and convolutional layers with local reparameterization (DESIGN.md, "Parameters and noise").
///
/// Training: μ = x∗θ + b, v = (x⊙x)∗σ², out = μ + √(v + 1e-8)·ε with one ε per
/// output element, ε = `key.normal(i)` for the element's row-major (NCHW) index i.
/// Backward, with g = ∂L/∂out: gv = g·ε/(2√(v+1e-8)); ∂L/∂θ = xᵀ∗g;
/// ∂L/∂σ² = (x⊙x)ᵀ∗gv; ∂L/∂b = Σ g; ∂L/∂x = g∗θᵀ + 2x⊙(gv∗(σ²)ᵀ).
public protocol LRTLayerOperations: BackendCore {
    /// σ² for every weight: exp(log σ²) under `.lrt`, α·θ² under `.gaussian(α)`;
    /// nothing under `.deterministic`. One pass over a whole arena segment.
    func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor) throws

    /// The same for `seeds` arenas at once (a ``SeedBatch``): seed s's θ and log σ² start
    /// s·`arenaStride` values after `theta`'s and `logSigma2`'s, its σ² s·`varianceStride` after
    /// `variance`'s. One launch where the backend can; the bits of one call per seed.
    func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor,
                        seeds: Int, arenaStride: Int, varianceStride: Int) throws

    /// input [batch, in] → output [batch, out]; with `activation: .relu` the output is max(y, 0),
    /// the ReLU fused into the same pass.
    func denseForward(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                      output: Tensor, workspace: DenseWorkspace, activation: FusedActivation) throws

    /// Overwrites `gradients`; writes ∂L/∂x into `gradInput` unless it is nil (the first layer).
    /// `output` is the forward pass's output: with `.relu`, ∂L/∂output passes only where it is > 0.
    func denseBackward(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor, output: Tensor,
                       workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?, activation: FusedActivation) throws

    /// input `geometry.inputShape` → output `activation.outputShape(geometry)`, with `.relu` max(y, 0)
    /// in the epilogue, and with `.reluMaxPool` max(y, 0) pooled there too (`workspace.argmax` written).
    func convForward(input: Tensor, weights: LRTWeights, geometry: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                     output: Tensor, workspace: ConvWorkspace, activation: ConvActivation) throws

    /// As ``denseBackward(input:weights:noise:gradOutput:output:workspace:gradients:gradInput:activation:)``;
    /// with `.reluMaxPool`, `gradOutput` and `output` are pooled and `workspace.argmax` routes the gradient.
    func convBackward(input: Tensor, weights: LRTWeights, geometry: ConvGeometry, noise: WeightNoise, gradOutput: Tensor,
                      output: Tensor, workspace: ConvWorkspace, gradients: LRTGradients, gradInput: Tensor?,
                      activation: ConvActivation) throws
}

extension LRTLayerOperations {
    /// One call per seed, in seed order (what the CPU backend's elementwise loops do anyway).
    public func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor,
                               seeds: Int, arenaStride: Int, varianceStride: Int) throws {
        for seed in 0..<seeds {
            try weightVariance(theta: theta.slice(from: seed * arenaStride, shape: theta.shape),
                               logSigma2: logSigma2.slice(from: seed * arenaStride, shape: logSigma2.shape), noise: noise,
                               into: variance.slice(from: seed * varianceStride, shape: variance.shape))
        }
    }
}
