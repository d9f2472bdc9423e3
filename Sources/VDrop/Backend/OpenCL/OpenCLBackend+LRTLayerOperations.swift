/// Dense and conv layers with local reparameterization on the device: CLBlast GEMMs
/// between small kernels from `lrt_dense.cl`, `lrt_conv.cl` and `weight_variance.cl`.
///
/// Forward per layer: (im2col with its squares | x⊙x), the mean GEMM, the variance GEMM,
/// one fused epilogue (bias + √(v+1e-8)·ε + noise scale). The formulas are those of
/// ``LRTLayerOperations``; workspace layouts and scratch use match the CPU backend's.
extension OpenCLBackend: LRTLayerOperations {
    public func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor) throws {
        precondition(theta.count == variance.count && logSigma2.count == variance.count, "weightVariance: counts differ")
        switch noise {
        case .lrt:
            try lrtKernels.weightVarianceLRT(logSigma2: logSigma2, variance: variance, count: variance.count)
        case .gaussian(let alpha):
            try lrtKernels.weightVarianceGaussian(theta: theta, variance: variance, count: variance.count, alpha: alpha)
        case .deterministic:
            break
        }
    }

    /// One launch over every seed: the grid's second dimension is the seed.
    public func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor,
                               seeds: Int, arenaStride: Int, varianceStride: Int) throws {
        precondition(theta.count == variance.count && logSigma2.count == variance.count, "weightVariance: counts differ")
        precondition(seeds >= 1 && arenaStride >= 0 && varianceStride >= 0, "weightVariance: seeds and strides")
        switch noise {
        case .lrt:
            try lrtKernels.weightVarianceLRT(logSigma2: logSigma2, variance: variance, count: variance.count,
                                             seeds: seeds, inputStride: arenaStride, varianceStride: varianceStride)
        case .gaussian(let alpha):
            try lrtKernels.weightVarianceGaussian(theta: theta, variance: variance, count: variance.count, alpha: alpha,
                                                  seeds: seeds, inputStride: arenaStride, varianceStride: varianceStride)
        case .deterministic:
            break
        }
    }

    // MARK: Dense

    /// One launch: both GEMMs, bias, noise, noise scale and the fused ReLU (`lrt_dense_forward`).
    public func denseForward(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                             output: Tensor, workspace: DenseWorkspace, activation: FusedActivation) throws {
        let relu = activation == .relu
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: output)
        try lrtKernels.denseForward(x: input, theta: weights.theta, variance: weights.variance, bias: weights.bias, out: output,
                                    noiseScale: workspace.noiseScale, batch: batch, inputs: inputs, outputs: outputs,
                                    withNoise: noise != .deterministic, relu: relu, key: key)
    }

    /// Two launches: the weight and bias gradients (`lrt_dense_weight_gradient`) and, unless
    /// `gradInput` is nil, the input gradient (`lrt_dense_input_gradient`); both apply the fused
    /// ReLU's mask (from `output`) as they read the gradient.
    public func denseBackward(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor, output: Tensor,
                              workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?, activation: FusedActivation) throws {
        let relu = activation == .relu
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: gradOutput)
        let withNoise = noise != .deterministic
        var alpha: Float = 0
        if case .gaussian(let a) = noise { alpha = a }
        try lrtKernels.denseWeightGradient(g: gradOutput, out: output, noiseScale: workspace.noiseScale, x: input, theta: weights.theta,
                                           gradTheta: gradients.theta, gradVariance: gradients.variance, gradBias: gradients.bias,
                                           batch: batch, inputs: inputs, outputs: outputs, withNoise: withNoise, relu: relu,
                                           gaussianAlpha: alpha)
        guard let gradInput else { return }
        try lrtKernels.denseInputGradient(g: gradOutput, out: output, noiseScale: workspace.noiseScale, x: input, theta: weights.theta,
                                          variance: weights.variance, gradX: gradInput, batch: batch, inputs: inputs, outputs: outputs,
                                          withNoise: withNoise, relu: relu)
    }

    // MARK: Conv

    /// Four launches: im2col, the mean and variance GEMMs, and one epilogue (`lrt_conv_forward_epilogue`,
    /// or `lrt_conv_forward_epilogue_max_pool` with `.reluMaxPool`); on the fused route im2col
    /// (without squares) and one paired product, on the implicit route the paired product only
    /// (``ConvRoute``).
    public func convForward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                            output: Tensor, workspace: ConvWorkspace, activation: ConvActivation) throws {
        lrtCheckConv(input: input, weights: weights, geometry: g, output: output, workspace: workspace, activation: activation)
        try convForward(inputs: [input], weights: [weights], geometry: g, noise: noise, key: key, outputs: [output],
                        workspaces: [workspace], activation: activation)
    }

    /// The forward pass of one conv layer for every seed of a batch, element s of each list seed
    /// s's (one element for a single network): each kernel one launch for all seeds, seed s
    /// drawing its noise with the seed `key.seed + s`; the products as ``gemm(_:alpha:a:b:beta:c:)``
    /// batches them, the paired ones seed by seed. Where there are several seeds, their tensors
    /// lie at equal strides (the caller checked).
    func convForward(inputs: [Tensor], weights: [LRTWeights], geometry g: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                     outputs: [Tensor], workspaces: [ConvWorkspace], activation: ConvActivation) throws {
        let withNoise = noise != .deterministic
        let positions = g.batch * g.outPlane
        let theta = weights.map(\.theta), variance = weights.map(\.variance)
        let columns = workspaces.map(\.columns), squares = workspaces.map(\.columnsSquared)
        let mean = workspaces.map(\.mean), outputVariance = workspaces.map(\.variance)
        let plan = convProductPlan(g)
        if plan.pairedForward {
            if plan.forwardWritesColumns { try unfold(inputs: inputs, geometry: g, workspaces: workspaces, withNoise: false) }
            for s in inputs.indices {
                try convProductPair(a1: theta[s], a2: withNoise ? variance[s] : nil,
                                    columns: plan.implicit ? .implicit(x: inputs[s], geometry: g) : .stored(columns[s]),
                                    c1: mean[s], c2: withNoise ? outputVariance[s] : nil,
                                    m: g.outChannels, n: positions, k: g.patchSize, transposeB: false, kernelSize: g.kernelSize)
            }
        } else {
            try unfold(inputs: inputs, geometry: g, workspaces: workspaces, withNoise: withNoise)
            let product = GemmShape(transposeA: false, transposeB: false, m: g.outChannels, n: positions, k: g.patchSize)
            try gemm(product, alpha: 1, a: theta, b: columns, beta: 0, c: mean)
            if withNoise { try gemm(product, alpha: 1, a: variance, b: squares, beta: 0, c: outputVariance) }
        }
        let argmax = workspaces.compactMap(\.argmax)
        if activation == .reluMaxPool, argmax.count == workspaces.count {
            try lrtKernels.convForwardEpilogueMaxPool(mean: mean, variance: outputVariance, bias: weights.map(\.bias), out: outputs,
                                                      argmax: argmax, noiseScale: workspaces.map(\.noiseScale), geometry: g,
                                                      withNoise: withNoise, key: key)
        } else {
            try lrtKernels.convForwardEpilogue(mean: mean, variance: outputVariance, bias: weights.map(\.bias), out: outputs,
                                               noiseScale: workspaces.map(\.noiseScale), geometry: g, withNoise: withNoise,
                                               relu: activation == .relu, key: key)
        }
    }

    /// im2col of each input into its `workspace.columns` and, with noise, its squares into `columnsSquared`.
    private func unfold(inputs: [Tensor], geometry g: ConvGeometry, workspaces: [ConvWorkspace], withNoise: Bool) throws {
        try lrtKernels.convIm2col(x: inputs, columns: workspaces.map(\.columns), columnsSquared: workspaces.map(\.columnsSquared),
                                  geometry: g, withSquares: withNoise)
    }

    /// Uses `workspace.mean` for g in [O, B·Ho·Wo] order, `workspace.variance` for gv likewise, and, once
    /// the weight gradients have read them, `workspace.columns` and `workspace.columnsSquared` for the
    /// column gradients θᵀ·g and (σ²)ᵀ·gv. One gather (`lrt_conv_backward_gather`) undoes a fused
    /// ReLU and max-pool as it reorders g.
    public func convBackward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, gradOutput: Tensor,
                             output: Tensor, workspace: ConvWorkspace, gradients: LRTGradients, gradInput: Tensor?,
                             activation: ConvActivation) throws {
        lrtCheckConv(input: input, weights: weights, geometry: g, output: gradOutput, workspace: workspace, activation: activation)
        try convBackward(inputs: [input], weights: [weights], geometry: g, noise: noise, gradOutputs: [gradOutput], outputs: [output],
                         workspaces: [workspace], gradients: [gradients], gradInputs: gradInput.map { [$0] }, activation: activation)
    }

    /// The backward pass of one conv layer for every seed of a batch, batched as
    /// ``convForward(inputs:weights:geometry:noise:key:outputs:workspaces:activation:)`` is.
    func convBackward(inputs: [Tensor], weights: [LRTWeights], geometry g: ConvGeometry, noise: WeightNoise, gradOutputs: [Tensor],
                      outputs: [Tensor], workspaces: [ConvWorkspace], gradients: [LRTGradients], gradInputs: [Tensor]?,
                      activation: ConvActivation) throws {
        let withNoise = noise != .deterministic
        let plan = convProductPlan(g)
        // Unfold again what the weight gradients read and the forward pass did not leave: other
        // layers have used shared columns since, and the paired forward products write less.
        let sharesColumns = workspaces[0].sharesColumns
        let columnsMissing = plan.weightGradientReadsColumns && (sharesColumns || !plan.forwardWritesColumns)
        let squaresMissing = withNoise && plan.weightGradientReadsSquares && (sharesColumns || !plan.forwardWritesSquares)
        if columnsMissing || squaresMissing {
            try unfold(inputs: inputs, geometry: g, workspaces: workspaces, withNoise: withNoise && plan.weightGradientReadsSquares)
        }
        let positions = g.batch * g.outPlane
        let rows = workspaces.map(\.mean), varianceRows = workspaces.map(\.variance)
        let columns = workspaces.map(\.columns), squares = workspaces.map(\.columnsSquared)
        let gradTheta = gradients.map(\.theta), gradVariance = gradients.map(\.variance)
        // Without a fused max-pool the kernel never reads argmax: any buffer stands in for it.
        let argmax = workspaces.map { $0.argmax ?? $0.noiseScale }
        try lrtKernels.convBackwardGather(grad: gradOutputs, out: outputs, argmax: argmax, noiseScale: workspaces.map(\.noiseScale),
                                          gradRows: rows, gradVarianceRows: varianceRows, geometry: g, withNoise: withNoise,
                                          relu: activation == .relu, pool: activation == .reluMaxPool)
        try lrtKernels.convBiasGradient(gradRows: rows, gradBias: gradients.map(\.bias), channels: g.outChannels, positions: positions)
        if plan.pairedWeightGradient {
            for s in inputs.indices {
                try convProductPair(a1: rows[s], a2: withNoise ? varianceRows[s] : nil,
                                    columns: plan.implicit ? .implicit(x: inputs[s], geometry: g) : .stored(columns[s]),
                                    c1: gradTheta[s], c2: withNoise ? gradVariance[s] : nil,
                                    m: g.outChannels, n: g.patchSize, k: positions, transposeB: true, kernelSize: g.kernelSize)
            }
        } else {
            let product = GemmShape(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: positions)
            try gemm(product, alpha: 1, a: rows, b: columns, beta: 0, c: gradTheta)
            if withNoise { try gemm(product, alpha: 1, a: varianceRows, b: squares, beta: 0, c: gradVariance) }
        }
        if case .gaussian(let alpha) = noise {
            for (weights, gradients) in zip(weights, gradients) {
                try addGaussianVariancePath(alpha: alpha, theta: weights.theta, gradVariance: gradients.variance, gradTheta: gradients.theta)
            }
        }
        guard let gradInputs else { return }
        let inputValues = g.inChannels * g.batch * g.height * g.width
        if plan.implicitInputGradient, columns.allSatisfy({ $0.count >= inputValues }), squares.allSatisfy({ $0.count >= inputValues }) {
            return try convInputGradientImplicitly(inputs: inputs, weights: weights, geometry: g, withNoise: withNoise, rows: rows,
                                                   varianceRows: varianceRows, dmean: columns, dvar: squares, gradInputs: gradInputs)
        }
        let product = GemmShape(transposeA: true, transposeB: false, m: g.patchSize, n: positions, k: g.outChannels)
        try gemm(product, alpha: 1, a: weights.map(\.theta), b: rows, beta: 0, c: columns)
        if withNoise { try gemm(product, alpha: 1, a: weights.map(\.variance), b: varianceRows, beta: 0, c: squares) }
        try lrtKernels.convCol2im(x: inputs, dcol: columns, dcolVar: squares, gradInput: gradInputs, geometry: g, withNoise: withNoise)
    }

    /// The implicit route's input gradient: ∂L/∂x = conv(g', θ') + 2x⊙conv(gv', (σ²)'), with θ' the
    /// flipped, transposed weights and padding K−1−pad (a stride-1 convolution's adjoint), each
    /// convolution one implicit product reading g' or gv' [O, B, Ho, Wo] in its tile loads into
    /// `dmean` or `dvar` [C, B·H·W]. Four launches per layer where the im2col path needs two
    /// products writing P × B·Ho·Wo column gradients and a col2im.
    private func convInputGradientImplicitly(inputs: [Tensor], weights: [LRTWeights], geometry g: ConvGeometry, withNoise: Bool,
                                             rows: [Tensor], varianceRows: [Tensor], dmean: [Tensor], dvar: [Tensor],
                                             gradInputs: [Tensor]) throws {
        let count = g.outChannels * g.patchSize
        let scratch = try scratchTensor("lrt_conv.flipped_weights", count: 2 * count * inputs.count)
        let flippedTheta = inputs.indices.map { scratch.slice(from: 2 * count * $0, shape: [count]) }
        let flippedVariance = inputs.indices.map { scratch.slice(from: 2 * count * $0 + count, shape: [count]) }
        try lrtKernels.convFlipWeights(theta: weights.map(\.theta), variance: weights.map(\.variance), flippedTheta: flippedTheta,
                                       flippedVariance: flippedVariance, geometry: g, withNoise: withNoise)
        // The adjoint convolution: over g' as [B, O, Ho, Wo] images (stored [O, B, Ho, Wo]) into C channels of H × W.
        let adjoint = ConvGeometry(batch: g.batch, inChannels: g.outChannels, height: g.outHeight, width: g.outWidth,
                                   outChannels: g.inChannels, kernelSize: g.kernelSize, padding: g.kernelSize - 1 - g.padding)
        let n = g.batch * g.height * g.width
        for s in inputs.indices {
            try convProductPair(a1: flippedTheta[s], a2: nil, columns: .implicitChannelMajor(x: rows[s], geometry: adjoint),
                                c1: dmean[s], c2: nil, m: g.inChannels, n: n, k: adjoint.patchSize, transposeB: false, kernelSize: g.kernelSize)
            if withNoise {
                try convProductPair(a1: flippedVariance[s], a2: nil, columns: .implicitChannelMajor(x: varianceRows[s], geometry: adjoint),
                                    c1: dvar[s], c2: nil, m: g.inChannels, n: n, k: adjoint.patchSize, transposeB: false,
                                    kernelSize: g.kernelSize)
            }
        }
        try lrtKernels.convInputGradient(x: inputs, dmean: dmean, dvar: dvar, gradInput: gradInputs, geometry: g, withNoise: withNoise)
    }

    /// The shapes a conv layer's pass requires of its tensors (``OperationShapes/conv(input:weights:geometry:output:workspace:activation:)``).
    func lrtCheckConv(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, output: Tensor,
                      workspace: ConvWorkspace, activation: ConvActivation) {
        OperationShapes.conv(input: input, weights: weights, geometry: g, output: output, workspace: workspace, activation: activation)
        // Kernels index with int; a layer this large needs splitting over the batch.
        precondition(g.patchSize * g.batch * g.outPlane <= Int(Int32.max), "conv \(g) has more than 2³¹ unfolded values")
    }

    // MARK: Shared

    /// ∂L/∂θ += 2α·θ⊙∂L/∂σ², the variance path of σ² = α·θ².
    private func addGaussianVariancePath(alpha: Float, theta: Tensor, gradVariance: Tensor, gradTheta: Tensor) throws {
        try lrtKernels.weightVarianceGaussianBackward(theta: theta, gradVariance: gradVariance, gradTheta: gradTheta,
                                                      count: theta.count, alpha: alpha)
    }
}
