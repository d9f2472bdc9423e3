/// Host side of `Kernels/relu.cl`, `Kernels/max_pool.cl` and `Kernels/batch_norm.cl`.
struct ActivationKernels {
    let backend: OpenCLBackend

    /// `relu_forward`: output = max(input, 0).
    func reluForward(input: Tensor, output: Tensor, count: Int) throws {
        try backend.launch("relu_forward", in: "relu.cl", global: [count], input, output, Int32(count))
    }

    /// `relu_backward`: gradInput = gradOutput where output > 0, else 0.
    func reluBackward(output: Tensor, gradOutput: Tensor, gradInput: Tensor, count: Int) throws {
        try backend.launch("relu_backward", in: "relu.cl", global: [count], output, gradOutput, gradInput, Int32(count))
    }

    /// `max_pool_forward`, one work item per output value.
    func maxPoolForward(input: Tensor, output: Tensor, argmax: Tensor, planes: Int, height: Int, width: Int) throws {
        try backend.launch("max_pool_forward", in: "max_pool.cl", global: [output.count],
                           input, output, argmax, Int32(planes), Int32(height), Int32(width))
    }

    /// `max_pool_backward`, one work item per input value (a gather through argmax).
    func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor, planes: Int, height: Int, width: Int) throws {
        try backend.launch("max_pool_backward", in: "max_pool.cl", global: [gradInput.count],
                           gradOutput, argmax, gradInput, Int32(planes), Int32(height), Int32(width))
    }

    /// The work-group size of BatchNorm's per-channel trees (`-DWG_SIZE`).
    var batchNormGroupSize: Int { KernelConstants.treeGroupSize(preferred: 256, maxWorkGroupSize: backend.device.maxWorkGroupSize) }
    private var batchNormOptions: String { "-DWG_SIZE=\(batchNormGroupSize)" }

    /// `batch_norm_statistics`, one work-group per channel.
    func batchNormStatistics(input: Tensor, savedMean: Tensor, savedInvStd: Tensor, runningMean: Tensor, runningVar: Tensor,
                             batch: Int, channels: Int, spatial: Int, momentum: Float, epsilon: Float) throws {
        try backend.launch("batch_norm_statistics", in: "batch_norm.cl", options: batchNormOptions,
                           global: [channels * batchNormGroupSize], local: [batchNormGroupSize],
                           input, savedMean, savedInvStd, runningMean, runningVar,
                           Int32(batch), Int32(channels), Int32(spatial), momentum, epsilon)
    }

    /// `batch_norm_normalize`, one work item per value; `scaleIsVariance`: `scale` holds the
    /// running variance (evaluation) rather than the saved 1/std (training); `relu`: max(·, 0) after.
    func batchNormNormalize(input: Tensor, mean: Tensor, scale: Tensor, scaleIsVariance: Bool, gamma: Tensor, beta: Tensor,
                            output: Tensor, count: Int, channels: Int, spatial: Int, epsilon: Float, relu: Bool) throws {
        try backend.launch("batch_norm_normalize", in: "batch_norm.cl", options: batchNormOptions, global: [count],
                           input, mean, scale, scaleIsVariance, gamma, beta, output,
                           Int32(count), Int32(channels), Int32(spatial), epsilon, relu)
    }

    /// `batch_norm_backward_reduce`, one work-group per channel: ∂γ and ∂β; `relu`: `gradOutput`
    /// counts only where `output` (the fused ReLU's) is > 0.
    func batchNormBackwardReduce(input: Tensor, gradOutput: Tensor, output: Tensor, savedMean: Tensor, savedInvStd: Tensor,
                                 gradGamma: Tensor, gradBeta: Tensor, batch: Int, channels: Int, spatial: Int, relu: Bool) throws {
        try backend.launch("batch_norm_backward_reduce", in: "batch_norm.cl", options: batchNormOptions,
                           global: [channels * batchNormGroupSize], local: [batchNormGroupSize],
                           input, gradOutput, output, savedMean, savedInvStd, gradGamma, gradBeta,
                           Int32(batch), Int32(channels), Int32(spatial), relu)
    }

    /// `batch_norm_backward_input`, one work item per value; `relu` as in ``batchNormBackwardReduce``.
    func batchNormBackwardInput(input: Tensor, gamma: Tensor, gradOutput: Tensor, output: Tensor, savedMean: Tensor, savedInvStd: Tensor,
                                gradGamma: Tensor, gradBeta: Tensor, gradInput: Tensor,
                                count: Int, channels: Int, spatial: Int, n: Int, relu: Bool) throws {
        try backend.launch("batch_norm_backward_input", in: "batch_norm.cl", options: batchNormOptions, global: [count],
                           input, gamma, gradOutput, output, savedMean, savedInvStd, gradGamma, gradBeta, gradInput,
                           Int32(count), Int32(channels), Int32(spatial), Int32(n), relu)
    }
}

extension OpenCLBackend {
    var activationKernels: ActivationKernels { ActivationKernels(backend: self) }
}
