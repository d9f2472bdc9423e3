/// Dense and conv layers with local reparameterization on the device: CLBlast GEMMs
/// between small kernels from `lrt_dense.cl`, `lrt_conv.cl` and `weight_variance.cl`.
///
/// Forward per layer: (im2col with its squares | x⊙x), the mean GEMM, the variance GEMM,
/// one fused epilogue (bias + √(v+1e-8)·ε + noise scale). The formulas are those of
/// ``LRTLayerOperations``; workspace layouts and scratch use match the CPU backend's.
extension OpenCLBackend: LRTLayerOperations {
    public func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor) throws {
        precondition(theta.count == variance.count && logSigma2.count == variance.count, "weightVariance: counts differ")
        let count = Int32(variance.count)
        switch noise {
        case .lrt:
            try launch("weight_variance_lrt", in: "weight_variance.cl", global: [variance.count], local: [lrtGroupSize],
                       logSigma2.deviceBuffer, logSigma2.deviceOffset, variance.deviceBuffer, variance.deviceOffset, count)
        case .gaussian(let alpha):
            try launch("weight_variance_gaussian", in: "weight_variance.cl", global: [variance.count], local: [lrtGroupSize],
                       theta.deviceBuffer, theta.deviceOffset, variance.deviceBuffer, variance.deviceOffset, count, alpha)
        case .deterministic:
            break
        }
    }

    // MARK: Dense

    /// The side of the square work-groups of the fused dense kernels (`-DTILE`).
    static let denseTile = 16

    /// One launch: both GEMMs, bias, noise, noise scale and the fused ReLU (`lrt_dense_forward`).
    public func denseForward(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                             output: Tensor, workspace: DenseWorkspace, activation: FusedActivation) throws {
        let relu = activation == .relu
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: output)
        let tile = Self.denseTile
        try launch("lrt_dense_forward", in: "lrt_dense.cl", options: "-DTILE=\(tile)", global: [outputs, batch], local: [tile, tile],
                   input.deviceBuffer, input.deviceOffset, weights.theta.deviceBuffer, weights.theta.deviceOffset,
                   weights.variance.deviceBuffer, weights.variance.deviceOffset, weights.bias.deviceBuffer, weights.bias.deviceOffset,
                   output.deviceBuffer, output.deviceOffset, workspace.noiseScale.deviceBuffer, workspace.noiseScale.deviceOffset,
                   Int32(batch), Int32(inputs), Int32(outputs), Int32(noise != .deterministic ? 1 : 0), Int32(relu ? 1 : 0),
                   key.seedWords, key.stepWords, key.stream)
    }

    /// Two launches: the weight and bias gradients (`lrt_dense_weight_gradient`) and, unless
    /// `gradInput` is nil, the input gradient (`lrt_dense_input_gradient`); both apply the fused
    /// ReLU's mask (from `output`) as they read the gradient.
    public func denseBackward(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor, output: Tensor,
                              workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?, activation: FusedActivation) throws {
        let relu = activation == .relu
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: gradOutput)
        let tile = Self.denseTile, options = "-DTILE=\(tile)"
        let withNoise = Int32(noise != .deterministic ? 1 : 0)
        var alpha: Float = 0
        if case .gaussian(let a) = noise { alpha = a }
        try launch("lrt_dense_weight_gradient", in: "lrt_dense.cl", options: options, global: [inputs, outputs], local: [tile, tile],
                   gradOutput.deviceBuffer, gradOutput.deviceOffset, output.deviceBuffer, output.deviceOffset,
                   workspace.noiseScale.deviceBuffer, workspace.noiseScale.deviceOffset,
                   input.deviceBuffer, input.deviceOffset, weights.theta.deviceBuffer, weights.theta.deviceOffset,
                   gradients.theta.deviceBuffer, gradients.theta.deviceOffset,
                   gradients.variance.deviceBuffer, gradients.variance.deviceOffset,
                   gradients.bias.deviceBuffer, gradients.bias.deviceOffset,
                   Int32(batch), Int32(inputs), Int32(outputs), withNoise, Int32(relu ? 1 : 0), alpha)
        guard let gradInput else { return }
        try launch("lrt_dense_input_gradient", in: "lrt_dense.cl", options: options, global: [inputs, batch], local: [tile, tile],
                   gradOutput.deviceBuffer, gradOutput.deviceOffset, output.deviceBuffer, output.deviceOffset,
                   workspace.noiseScale.deviceBuffer, workspace.noiseScale.deviceOffset,
                   input.deviceBuffer, input.deviceOffset, weights.theta.deviceBuffer, weights.theta.deviceOffset,
                   weights.variance.deviceBuffer, weights.variance.deviceOffset,
                   gradInput.deviceBuffer, gradInput.deviceOffset, Int32(batch), Int32(inputs), Int32(outputs), withNoise, Int32(relu ? 1 : 0))
    }

    // MARK: Conv

    /// Four launches: im2col, the mean and variance GEMMs, and one epilogue (`lrt_conv_forward_epilogue`,
    /// or `lrt_conv_forward_epilogue_max_pool` with `.reluMaxPool`).
    public func convForward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                            output: Tensor, workspace: ConvWorkspace, activation: ConvActivation) throws {
        lrtCheckConv(input: input, weights: weights, geometry: g, output: output, workspace: workspace, activation: activation)
        let withNoise = Int32(noise != .deterministic ? 1 : 0)
        let positions = g.batch * g.outPlane
        let columns = workspace.columns, squares = workspace.columnsSquared
        try unfold(input: input, geometry: g, workspace: workspace, withNoise: withNoise)
        try gemm(transposeA: false, transposeB: false, m: g.outChannels, n: positions, k: g.patchSize,
                 alpha: 1, a: weights.theta, b: columns, beta: 0, c: workspace.mean)
        if withNoise != 0 {
            try gemm(transposeA: false, transposeB: false, m: g.outChannels, n: positions, k: g.patchSize,
                     alpha: 1, a: weights.variance, b: squares, beta: 0, c: workspace.variance)
        }
        let mean = workspace.mean, variance = workspace.variance, noiseScale = workspace.noiseScale
        if activation == .reluMaxPool, let argmax = workspace.argmax {
            let windows = g.batch * g.outChannels * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
            try launch("lrt_conv_forward_epilogue_max_pool", in: "lrt_conv.cl", global: [windows], local: [lrtGroupSize],
                       mean.deviceBuffer, mean.deviceOffset, variance.deviceBuffer, variance.deviceOffset,
                       weights.bias.deviceBuffer, weights.bias.deviceOffset, output.deviceBuffer, output.deviceOffset,
                       argmax.deviceBuffer, argmax.deviceOffset, noiseScale.deviceBuffer, noiseScale.deviceOffset,
                       Int32(g.batch), Int32(g.outChannels), Int32(g.outHeight), Int32(g.outWidth), withNoise,
                       key.seedWords, key.stepWords, key.stream)
        } else {
            try launch("lrt_conv_forward_epilogue", in: "lrt_conv.cl", global: [output.count], local: [lrtGroupSize],
                       mean.deviceBuffer, mean.deviceOffset, variance.deviceBuffer, variance.deviceOffset,
                       weights.bias.deviceBuffer, weights.bias.deviceOffset, output.deviceBuffer, output.deviceOffset,
                       noiseScale.deviceBuffer, noiseScale.deviceOffset,
                       Int32(g.batch), Int32(g.outChannels), Int32(g.outPlane), withNoise, Int32(activation == .relu ? 1 : 0),
                       key.seedWords, key.stepWords, key.stream)
        }
    }

    /// im2col of the input into `workspace.columns` and, with noise, its squares into `columnsSquared`.
    private func unfold(input: Tensor, geometry g: ConvGeometry, workspace: ConvWorkspace, withNoise: Int32) throws {
        let columns = workspace.columns, squares = workspace.columnsSquared
        // 64 work items per group: along the plane, and over images when the plane is smaller.
        let across = min(g.outPlane, lrtGroupSize)
        try launch("lrt_conv_im2col", in: "lrt_conv.cl", global: [g.outPlane, g.batch, g.inChannels],
                   local: [across, max(1, min(g.batch, lrtGroupSize / across)), 1],
                   input.deviceBuffer, input.deviceOffset, columns.deviceBuffer, columns.deviceOffset,
                   squares.deviceBuffer, squares.deviceOffset,
                   Int32(g.batch), Int32(g.inChannels), Int32(g.height), Int32(g.width),
                   Int32(g.kernelSize), Int32(g.padding), withNoise)
    }

    /// Uses `workspace.mean` for g in [O, B·Ho·Wo] order, `workspace.variance` for gv likewise, and, once
    /// the weight gradients have read them, `workspace.columns` and `workspace.columnsSquared` for the
    /// column gradients θᵀ·g and (σ²)ᵀ·gv. One gather (`lrt_conv_backward_gather`) undoes a fused
    /// ReLU and max-pool as it reorders g.
    public func convBackward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, gradOutput: Tensor,
                             output: Tensor, workspace: ConvWorkspace, gradients: LRTGradients, gradInput: Tensor?,
                             activation: ConvActivation) throws {
        lrtCheckConv(input: input, weights: weights, geometry: g, output: gradOutput, workspace: workspace, activation: activation)
        let withNoise = Int32(noise != .deterministic ? 1 : 0)
        if workspace.sharesColumns {
            // Other layers have used the shared columns since this layer's forward pass.
            try unfold(input: input, geometry: g, workspace: workspace, withNoise: withNoise)
        }
        let positions = g.batch * g.outPlane
        let rows = workspace.mean, varianceRows = workspace.variance
        // Without a fused max-pool the kernel never reads argmax: any buffer stands in for it.
        let argmax = workspace.argmax ?? workspace.noiseScale
        try launch("lrt_conv_backward_gather", in: "lrt_conv.cl", global: [workspace.noiseScale.count], local: [lrtGroupSize],
                   gradOutput.deviceBuffer, gradOutput.deviceOffset, output.deviceBuffer, output.deviceOffset,
                   argmax.deviceBuffer, argmax.deviceOffset, workspace.noiseScale.deviceBuffer, workspace.noiseScale.deviceOffset,
                   rows.deviceBuffer, rows.deviceOffset, varianceRows.deviceBuffer, varianceRows.deviceOffset,
                   Int32(g.batch), Int32(g.outChannels), Int32(g.outHeight), Int32(g.outWidth), withNoise,
                   Int32(activation == .relu ? 1 : 0), Int32(activation == .reluMaxPool ? 1 : 0))
        try launch("lrt_conv_bias_gradient", in: "lrt_conv.cl", global: [g.outChannels * lrtGroupSize], local: [lrtGroupSize],
                   rows.deviceBuffer, rows.deviceOffset, gradients.bias.deviceBuffer, gradients.bias.deviceOffset, Int32(positions))
        try gemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: positions,
                 alpha: 1, a: rows, b: workspace.columns, beta: 0, c: gradients.theta)
        if withNoise != 0 {
            try gemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: positions,
                     alpha: 1, a: varianceRows, b: workspace.columnsSquared, beta: 0, c: gradients.variance)
            if case .gaussian(let alpha) = noise {
                try addGaussianVariancePath(alpha: alpha, theta: weights.theta, gradVariance: gradients.variance, gradTheta: gradients.theta)
            }
        }
        guard let gradInput else { return }
        try gemm(transposeA: true, transposeB: false, m: g.patchSize, n: positions, k: g.outChannels,
                 alpha: 1, a: weights.theta, b: rows, beta: 0, c: workspace.columns)
        if withNoise != 0 {
            try gemm(transposeA: true, transposeB: false, m: g.patchSize, n: positions, k: g.outChannels,
                     alpha: 1, a: weights.variance, b: varianceRows, beta: 0, c: workspace.columnsSquared)
        }
        try launch("lrt_conv_col2im", in: "lrt_conv.cl", global: [gradInput.count], local: [lrtGroupSize],
                   input.deviceBuffer, input.deviceOffset, workspace.columns.deviceBuffer, workspace.columns.deviceOffset,
                   workspace.columnsSquared.deviceBuffer, workspace.columnsSquared.deviceOffset,
                   gradInput.deviceBuffer, gradInput.deviceOffset,
                   Int32(g.batch), Int32(g.inChannels), Int32(g.height), Int32(g.width),
                   Int32(g.kernelSize), Int32(g.padding), withNoise)
    }

    private func lrtCheckConv(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, output: Tensor,
                              workspace: ConvWorkspace, activation: ConvActivation) {
        OperationShapes.conv(input: input, weights: weights, geometry: g, output: output, workspace: workspace, activation: activation)
        // Kernels index with int; a layer this large needs splitting over the batch.
        precondition(g.patchSize * g.batch * g.outPlane <= Int(Int32.max), "conv \(g) has more than 2³¹ unfolded values")
    }

    // MARK: Shared

    /// ∂L/∂θ += 2α·θ⊙∂L/∂σ², the variance path of σ² = α·θ².
    private func addGaussianVariancePath(alpha: Float, theta: Tensor, gradVariance: Tensor, gradTheta: Tensor) throws {
        try launch("weight_variance_gaussian_backward", in: "weight_variance.cl", global: [theta.count], local: [lrtGroupSize],
                   theta.deviceBuffer, theta.deviceOffset, gradVariance.deviceBuffer, gradVariance.deviceOffset,
                   gradTheta.deviceBuffer, gradTheta.deviceOffset, Int32(theta.count), alpha)
    }
}

/// The work-group size of the LRT kernels: the WG_SIZE their files default to
/// (`lrt_conv_bias_gradient` requires exactly this many work items per group).
private let lrtGroupSize = 64

extension NoiseKey {
    /// The seed as the `uint2` (low, high) kernels take.
    fileprivate var seedWords: SIMD2<UInt32> { SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }
    /// The step as the `uint2` (low, high) kernels take.
    fileprivate var stepWords: SIMD2<UInt32> { SIMD2(UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)) }
}
