/// Host side of `Kernels/adam.cl`: the kernel's parameters, in its order, with their types.
struct AdamKernels {
    let backend: OpenCLBackend

    /// `adam_update` over the arena [θ (W) | ℓ (W) | plain (P)]: one work item per weight (θ and ℓ)
    /// and per plain parameter; with `seeds` > 1, over that many arenas back to back (the grid's
    /// second dimension is the seed).
    func update(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, weights: Int, plain: Int, seeds: Int = 1, objective: Regularizer.Kind,
                a: Float, b: Float, trainLogSigma2: Bool, regularizerWeight: Float, step: AdamStepConstants) throws {
        let group = min(OpenCLBackend.elementwiseGroupSize, backend.device.maxWorkGroupSize)
        try backend.launch("adam_update", in: "adam.cl", options: KernelConstants.regularizerDefinitions,
                           global: seeds == 1 ? [weights + plain] : [weights + plain, seeds], local: seeds == 1 ? nil : [group, 1],
                           p, grad, m, v, Int32(weights), Int32(plain), objective.rawValue, a, b, trainLogSigma2,
                           regularizerWeight, step.learningRate, step.beta1, step.beta2, step.epsilon,
                           step.biasCorrection1, step.biasCorrection2, step.logSigma2Max, step.logSigma2PerTrained)
    }
}

extension OpenCLBackend {
    var adamKernels: AdamKernels { AdamKernels(backend: self) }
}
