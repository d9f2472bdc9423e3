import Foundation

/// ReLU, 2×2 max-pooling and BatchNorm on the device (`Kernels/relu.cl`,
/// `Kernels/max_pool.cl`, `Kernels/batch_norm.cl`).
extension OpenCLBackend: ActivationOperations {
    public func reluForward(input: Tensor, output: Tensor) throws {
        precondition(input.count == output.count, "relu of \(input) into \(output)")
        try activationKernels.reluForward(input: input, output: output, count: input.count)
    }

    public func reluBackward(output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws {
        precondition(output.count == gradOutput.count && output.count == gradInput.count,
                     "relu backward of \(gradOutput) into \(gradInput)")
        try activationKernels.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradInput, count: output.count)
    }

    public func maxPoolForward(input: Tensor, output: Tensor, argmax: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: input, output: output)
        precondition(argmax.shape == output.shape, "argmax \(argmax) must have the output's shape \(output.shape)")
        try activationKernels.maxPoolForward(input: input, output: output, argmax: argmax, planes: planes, height: height, width: width)
    }

    public func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: gradInput, output: gradOutput)
        precondition(argmax.shape == gradOutput.shape, "argmax \(argmax) must have the output's shape \(gradOutput.shape)")
        try activationKernels.maxPoolBackward(gradOutput: gradOutput, argmax: argmax, gradInput: gradInput,
                                              planes: planes, height: height, width: width)
    }

    public func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                                 runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                                 training: Bool, momentum: Float, epsilon: Float, activation: FusedActivation) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [output], perChannel: [gamma, beta, runningMean, runningVariance, saved.mean, saved.inverseStd])
        if batch * spatial == 0 || channels == 0 { return }
        let kernels = activationKernels
        if training {
            try kernels.batchNormStatistics(input: input, savedMean: saved.mean, savedInvStd: saved.inverseStd,
                                            runningMean: runningMean, runningVar: runningVariance,
                                            batch: batch, channels: channels, spatial: spatial, momentum: momentum, epsilon: epsilon)
        }
        try kernels.batchNormNormalize(input: input, mean: training ? saved.mean : runningMean,
                                       scale: training ? saved.inverseStd : runningVariance, scaleIsVariance: !training,
                                       gamma: gamma, beta: beta, output: output,
                                       count: input.count, channels: channels, spatial: spatial, epsilon: epsilon,
                                       relu: activation == .relu)
    }

    public func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, output: Tensor, saved: BatchNormSaved,
                                  gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor, activation: FusedActivation) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [gradOutput, output, gradInput], perChannel: [gamma, gradGamma, gradBeta, saved.mean, saved.inverseStd])
        if batch * spatial == 0 || channels == 0 { return }
        let kernels = activationKernels, relu = activation == .relu
        try kernels.batchNormBackwardReduce(input: input, gradOutput: gradOutput, output: output, savedMean: saved.mean,
                                            savedInvStd: saved.inverseStd, gradGamma: gradGamma, gradBeta: gradBeta,
                                            batch: batch, channels: channels, spatial: spatial, relu: relu)
        try kernels.batchNormBackwardInput(input: input, gamma: gamma, gradOutput: gradOutput, output: output, savedMean: saved.mean,
                                           savedInvStd: saved.inverseStd, gradGamma: gradGamma, gradBeta: gradBeta, gradInput: gradInput,
                                           count: input.count, channels: channels, spatial: spatial, n: batch * spatial, relu: relu)
    }
}
