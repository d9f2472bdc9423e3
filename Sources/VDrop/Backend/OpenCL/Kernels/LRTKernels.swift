/// Host side of `Kernels/lrt_dense.cl`, `Kernels/lrt_conv.cl` and `Kernels/weight_variance.cl`:
/// the kernels of the layers with local reparameterization.
struct LRTKernels {
    let backend: OpenCLBackend

    private var group: Int { KernelConstants.lrtGroupSize }
    private var denseOptions: String { "-DTILE=\(KernelConstants.denseTile)" }
    private var convOptions: String { "-DWG_SIZE=\(KernelConstants.lrtGroupSize)" }

    // MARK: weight_variance.cl

    /// `weight_variance_lrt`: variance = exp(logSigma2); with `seeds` > 1 for that many seeds, seed s's
    /// values `s·inputStride` and `s·varianceStride` after the first's (the grid's second dimension).
    func weightVarianceLRT(logSigma2: Tensor, variance: Tensor, count: Int, seeds: Int = 1, inputStride: Int = 0,
                           varianceStride: Int = 0) throws {
        try backend.launch("weight_variance_lrt", in: "weight_variance.cl", global: seeds == 1 ? [count] : [count, seeds],
                           local: seeds == 1 ? [group] : [group, 1],
                           logSigma2, variance, Int32(count), Int32(inputStride), Int32(varianceStride))
    }

    /// `weight_variance_gaussian`: variance = α·θ² (seeds as in ``weightVarianceLRT(logSigma2:variance:count:seeds:inputStride:varianceStride:)``).
    func weightVarianceGaussian(theta: Tensor, variance: Tensor, count: Int, alpha: Float, seeds: Int = 1, inputStride: Int = 0,
                                varianceStride: Int = 0) throws {
        try backend.launch("weight_variance_gaussian", in: "weight_variance.cl", global: seeds == 1 ? [count] : [count, seeds],
                           local: seeds == 1 ? [group] : [group, 1],
                           theta, variance, Int32(count), alpha, Int32(inputStride), Int32(varianceStride))
    }

    /// `weight_variance_gaussian_backward`: gradTheta += 2α·θ⊙gradVariance.
    func weightVarianceGaussianBackward(theta: Tensor, gradVariance: Tensor, gradTheta: Tensor, count: Int, alpha: Float) throws {
        try backend.launch("weight_variance_gaussian_backward", in: "weight_variance.cl", global: [count], local: [group],
                           theta, gradVariance, gradTheta, Int32(count), alpha)
    }

    // MARK: lrt_dense.cl (B samples, I inputs, O outputs; square work-groups of TILE)

    /// `lrt_dense_forward`: both products, bias, noise and the fused ReLU, one work item per output.
    func denseForward(x: Tensor, theta: Tensor, variance: Tensor, bias: Tensor, out: Tensor, noiseScale: Tensor,
                      batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool, key: NoiseKey) throws {
        try denseForward(x: [x], theta: [theta], variance: [variance], bias: [bias], out: [out], noiseScale: [noiseScale],
                         batch: batch, inputs: inputs, outputs: outputs, withNoise: withNoise, relu: relu, key: key)
    }

    /// The same for every seed of a batch at once (tensor s of each list is seed s's): seed s
    /// draws its noise with the seed `key.seed + s`.
    func denseForward(x: [Tensor], theta: [Tensor], variance: [Tensor], bias: [Tensor], out: [Tensor], noiseScale: [Tensor],
                      batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool, key: NoiseKey) throws {
        let tile = KernelConstants.denseTile
        func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
        try backend.launch("lrt_dense_forward", in: "lrt_dense.cl", options: denseOptions, global: [outputs, batch, x.count],
                           local: [tile, tile, 1], seeds(x), seeds(theta), seeds(variance), seeds(bias), seeds(out), seeds(noiseScale),
                           Int32(batch), Int32(inputs), Int32(outputs), withNoise, relu,
                           key.seedWords, key.stepWords, key.stream, key.firstElementWord(perSample: outputs))
    }

    /// `lrt_dense_weight_gradient`: ∂θ, ∂σ² and ∂b, one work item per weight.
    func denseWeightGradient(g: Tensor, out: Tensor, noiseScale: Tensor, x: Tensor, theta: Tensor,
                             gradTheta: Tensor, gradVariance: Tensor, gradBias: Tensor,
                             batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool, gaussianAlpha: Float) throws {
        try denseWeightGradient(g: [g], out: [out], noiseScale: [noiseScale], x: [x], theta: [theta], gradTheta: [gradTheta],
                                gradVariance: [gradVariance], gradBias: [gradBias], batch: batch, inputs: inputs, outputs: outputs,
                                withNoise: withNoise, relu: relu, gaussianAlpha: gaussianAlpha)
    }

    /// The same for every seed of a batch at once (tensor s of each list is seed s's).
    func denseWeightGradient(g: [Tensor], out: [Tensor], noiseScale: [Tensor], x: [Tensor], theta: [Tensor],
                             gradTheta: [Tensor], gradVariance: [Tensor], gradBias: [Tensor],
                             batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool, gaussianAlpha: Float) throws {
        let tile = KernelConstants.denseTile
        func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
        try backend.launch("lrt_dense_weight_gradient", in: "lrt_dense.cl", options: denseOptions, global: [inputs, outputs, g.count],
                           local: [tile, tile, 1], seeds(g), seeds(out), seeds(noiseScale), seeds(x), seeds(theta), seeds(gradTheta),
                           seeds(gradVariance), seeds(gradBias), Int32(batch), Int32(inputs), Int32(outputs), withNoise, relu, gaussianAlpha)
    }

    /// `lrt_dense_input_gradient`: ∂x, one work item per input value.
    func denseInputGradient(g: Tensor, out: Tensor, noiseScale: Tensor, x: Tensor, theta: Tensor, variance: Tensor, gradX: Tensor,
                            batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool) throws {
        try denseInputGradient(g: [g], out: [out], noiseScale: [noiseScale], x: [x], theta: [theta], variance: [variance], gradX: [gradX],
                               batch: batch, inputs: inputs, outputs: outputs, withNoise: withNoise, relu: relu)
    }

    /// The same for every seed of a batch at once (tensor s of each list is seed s's).
    func denseInputGradient(g: [Tensor], out: [Tensor], noiseScale: [Tensor], x: [Tensor], theta: [Tensor], variance: [Tensor],
                            gradX: [Tensor], batch: Int, inputs: Int, outputs: Int, withNoise: Bool, relu: Bool) throws {
        let tile = KernelConstants.denseTile
        func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
        try backend.launch("lrt_dense_input_gradient", in: "lrt_dense.cl", options: denseOptions, global: [inputs, batch, g.count],
                           local: [tile, tile, 1], seeds(g), seeds(out), seeds(noiseScale), seeds(x), seeds(theta), seeds(variance),
                           seeds(gradX), Int32(batch), Int32(inputs), Int32(outputs), withNoise, relu)
    }

    // MARK: lrt_conv.cl (each kernel once for every seed of a batch: tensor s of each list is seed s's)

    /// `lrt_conv_im2col` over (output position, image, input channel·seeds): 64 work items per
    /// group, along the plane, and over images when the plane is smaller.
    func convIm2col(x: [Tensor], columns: [Tensor], columnsSquared: [Tensor], geometry g: ConvGeometry, withSquares: Bool) throws {
        let across = min(g.outPlane, group)
        try backend.launch("lrt_conv_im2col", in: "lrt_conv.cl", options: convOptions, global: [g.outPlane, g.batch, g.inChannels * x.count],
                           local: [across, max(1, min(g.batch, group / across)), 1],
                           seeds(x), seeds(columns), seeds(columnsSquared), Int32(g.batch), Int32(g.inChannels), Int32(g.height),
                           Int32(g.width), Int32(g.kernelSize), Int32(g.padding), withSquares)
    }

    /// `lrt_conv_forward_epilogue`: bias, noise and the fused ReLU, one work item per output value;
    /// seed s draws its noise with the seed `key.seed + s`.
    func convForwardEpilogue(mean: [Tensor], variance: [Tensor], bias: [Tensor], out: [Tensor], noiseScale: [Tensor],
                             geometry g: ConvGeometry, withNoise: Bool, relu: Bool, key: NoiseKey) throws {
        try backend.launch("lrt_conv_forward_epilogue", in: "lrt_conv.cl", options: convOptions, global: [out[0].count, out.count],
                           local: [group, 1], seeds(mean), seeds(variance), seeds(bias), seeds(out), seeds(noiseScale),
                           Int32(g.batch), Int32(g.outChannels), Int32(g.outPlane), withNoise, relu,
                           key.seedWords, key.stepWords, key.stream, key.firstElementWord(perSample: g.outChannels * g.outPlane))
    }

    /// `lrt_conv_forward_epilogue_max_pool`: the same with ReLU and a 2×2 max-pool, one work item per window.
    func convForwardEpilogueMaxPool(mean: [Tensor], variance: [Tensor], bias: [Tensor], out: [Tensor], argmax: [Tensor],
                                    noiseScale: [Tensor], geometry g: ConvGeometry, withNoise: Bool, key: NoiseKey) throws {
        let windows = g.batch * g.outChannels * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
        try backend.launch("lrt_conv_forward_epilogue_max_pool", in: "lrt_conv.cl", options: convOptions, global: [windows, out.count],
                           local: [group, 1], seeds(mean), seeds(variance), seeds(bias), seeds(out), seeds(argmax), seeds(noiseScale),
                           Int32(g.batch), Int32(g.outChannels), Int32(g.outHeight), Int32(g.outWidth), withNoise,
                           key.seedWords, key.stepWords, key.stream, key.firstElementWord(perSample: g.outChannels * g.outPlane))
    }

    /// `lrt_conv_backward_gather`: the output gradient reordered to [O, B·Ho·Wo] rows, with the
    /// fused ReLU (and max-pool) undone; one work item per pre-pool output value.
    func convBackwardGather(grad: [Tensor], out: [Tensor], argmax: [Tensor], noiseScale: [Tensor], gradRows: [Tensor],
                            gradVarianceRows: [Tensor], geometry g: ConvGeometry, withNoise: Bool, relu: Bool, pool: Bool) throws {
        try backend.launch("lrt_conv_backward_gather", in: "lrt_conv.cl", options: convOptions, global: [noiseScale[0].count, grad.count],
                           local: [group, 1], seeds(grad), seeds(out), seeds(argmax), seeds(noiseScale), seeds(gradRows),
                           seeds(gradVarianceRows), Int32(g.batch), Int32(g.outChannels), Int32(g.outHeight), Int32(g.outWidth),
                           withNoise, relu, pool)
    }

    /// `lrt_conv_bias_gradient`: one work-group of WG_SIZE per output channel and seed.
    func convBiasGradient(gradRows: [Tensor], gradBias: [Tensor], channels: Int, positions: Int) throws {
        try backend.launch("lrt_conv_bias_gradient", in: "lrt_conv.cl", options: convOptions, global: [channels * group, gradRows.count],
                           local: [group, 1], seeds(gradRows), seeds(gradBias), Int32(positions))
    }

    /// `lrt_conv_col2im`: one work item per input value (a gather, no atomics).
    func convCol2im(x: [Tensor], dcol: [Tensor], dcolVar: [Tensor], gradInput: [Tensor], geometry g: ConvGeometry, withNoise: Bool) throws {
        try backend.launch("lrt_conv_col2im", in: "lrt_conv.cl", options: convOptions, global: [gradInput[0].count, gradInput.count],
                           local: [group, 1], seeds(x), seeds(dcol), seeds(dcolVar), seeds(gradInput), Int32(g.batch), Int32(g.inChannels),
                           Int32(g.height), Int32(g.width), Int32(g.kernelSize), Int32(g.padding), withNoise)
    }

    /// `lrt_conv_flip_weights`: θ' (and (σ²)' with noise), [C, O·K·K], the input gradient's
    /// convolution weights; one work item per value and seed.
    func convFlipWeights(theta: [Tensor], variance: [Tensor], flippedTheta: [Tensor], flippedVariance: [Tensor],
                         geometry g: ConvGeometry, withNoise: Bool) throws {
        try backend.launch("lrt_conv_flip_weights", in: "lrt_conv.cl", options: convOptions,
                           global: [g.outChannels * g.patchSize, theta.count], local: [group, 1],
                           seeds(theta), seeds(variance), seeds(flippedTheta), seeds(flippedVariance),
                           Int32(g.outChannels), Int32(g.inChannels), Int32(g.kernelSize), withNoise)
    }

    /// `lrt_conv_input_gradient`: the input gradient from the products' [C, B·H·W] rows, one work
    /// item per input value and seed.
    func convInputGradient(x: [Tensor], dmean: [Tensor], dvar: [Tensor], gradInput: [Tensor], geometry g: ConvGeometry,
                           withNoise: Bool) throws {
        try backend.launch("lrt_conv_input_gradient", in: "lrt_conv.cl", options: convOptions,
                           global: [gradInput[0].count, gradInput.count], local: [group, 1],
                           seeds(x), seeds(dmean), seeds(dvar), seeds(gradInput), Int32(g.batch), Int32(g.inChannels),
                           Int32(g.height * g.width), withNoise)
    }

    private func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
}

extension OpenCLBackend {
    var lrtKernels: LRTKernels { LRTKernels(backend: self) }
}
