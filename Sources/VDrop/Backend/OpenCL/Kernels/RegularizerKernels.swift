/// Host side of `Kernels/regularizer_sum.cl` and `Kernels/regularizer_gradient.cl`.
struct RegularizerKernels {
    let backend: OpenCLBackend

    /// The work-group size of the sum's tree (`-DWG_SIZE`): 256, or what the device allows.
    var groupSize: Int { KernelConstants.treeGroupSize(preferred: 256, maxWorkGroupSize: backend.device.maxWorkGroupSize) }
    var sumOptions: String { KernelConstants.regularizerDefinitions + " -DWG_SIZE=\(groupSize)" }

    /// `regularizer_sum_partial`: `groups` work-groups, each writing the sum of R over its
    /// strided share of the weights into partial[group].
    func sumPartial(theta: Tensor, logSigma2: Tensor, count: Int, objective: Regularizer.Kind, a: Float, b: Float,
                    partial: Tensor, groups: Int) throws {
        try backend.launch("regularizer_sum_partial", in: "regularizer_sum.cl", options: sumOptions,
                           global: [groups * groupSize], local: [groupSize],
                           theta, logSigma2, Int32(count), objective.rawValue, a, b, partial)
    }

    /// `regularizer_sum_final`: out[0] = Σ partial[0 ..< groups], in one work-group.
    func sumFinal(partial: Tensor, groups: Int, out: Tensor) throws {
        try backend.launch("regularizer_sum_final", in: "regularizer_sum.cl", options: sumOptions,
                           global: [groupSize], local: [groupSize], partial, Int32(groups), out)
    }

    /// `regularizer_gradient_add`: gradTheta += scale·∂R/∂θ, gradLogSigma2 += scale·∂R/∂ℓ.
    func gradientAdd(theta: Tensor, logSigma2: Tensor, count: Int, objective: Regularizer.Kind, a: Float, b: Float,
                     scale: Float, gradTheta: Tensor, gradLogSigma2: Tensor) throws {
        try backend.launch("regularizer_gradient_add", in: "regularizer_gradient.cl", options: KernelConstants.regularizerDefinitions,
                           global: [count], theta, logSigma2, Int32(count), objective.rawValue, a, b, scale, gradTheta, gradLogSigma2)
    }
}

extension OpenCLBackend {
    var regularizerKernels: RegularizerKernels { RegularizerKernels(backend: self) }
}
