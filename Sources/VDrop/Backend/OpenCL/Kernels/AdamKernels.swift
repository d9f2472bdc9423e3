/// Host side of `Kernels/adam.cl`: the kernel's parameters, in its order, with their types.
struct AdamKernels {
    let backend: OpenCLBackend

    /// `adam_update` over the arena [θ (W) | ℓ (W) | plain (P)]: one work item per weight (θ and ℓ)
    /// and per plain parameter.
    func update(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, weights: Int, plain: Int, objective: Regularizer.Kind,
                a: Float, b: Float, trainLogSigma2: Bool, regularizerWeight: Float, step: AdamStepConstants) throws {
        try backend.launch("adam_update", in: "adam.cl", options: KernelConstants.regularizerDefinitions, global: [weights + plain],
                           p, grad, m, v, Int32(weights), Int32(plain), objective.rawValue, a, b, trainLogSigma2,
                           regularizerWeight, step.learningRate, step.beta1, step.beta2, step.epsilon,
                           step.biasCorrection1, step.biasCorrection2, step.logSigma2Max, step.logSigma2PerTrained)
    }
}

extension OpenCLBackend {
    var adamKernels: AdamKernels { AdamKernels(backend: self) }
}
