import Foundation

/// ReLU, 2×2 max-pooling and BatchNorm on the device (`Kernels/relu.cl`,
/// `Kernels/max_pool.cl`, `Kernels/batch_norm.cl`).
extension OpenCLBackend: ActivationOperations {
    public func reluForward(input: Tensor, output: Tensor) throws {
        precondition(input.count == output.count, "relu of \(input) into \(output)")
        try launch("relu_forward", in: "relu.cl", global: [input.count],
                   input.deviceBuffer, input.deviceOffset, output.deviceBuffer, output.deviceOffset, Int32(input.count))
    }

    public func reluBackward(output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws {
        precondition(output.count == gradOutput.count && output.count == gradInput.count,
                     "relu backward of \(gradOutput) into \(gradInput)")
        try launch("relu_backward", in: "relu.cl", global: [output.count],
                   output.deviceBuffer, output.deviceOffset, gradOutput.deviceBuffer, gradOutput.deviceOffset,
                   gradInput.deviceBuffer, gradInput.deviceOffset, Int32(output.count))
    }

    public func maxPoolForward(input: Tensor, output: Tensor, argmax: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: input, output: output)
        precondition(argmax.shape == output.shape, "argmax \(argmax) must have the output's shape \(output.shape)")
        try launch("max_pool_forward", in: "max_pool.cl", global: [output.count],
                   input.deviceBuffer, input.deviceOffset, output.deviceBuffer, output.deviceOffset,
                   argmax.deviceBuffer, argmax.deviceOffset, Int32(planes), Int32(height), Int32(width))
    }

    public func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: gradInput, output: gradOutput)
        precondition(argmax.shape == gradOutput.shape, "argmax \(argmax) must have the output's shape \(gradOutput.shape)")
        try launch("max_pool_backward", in: "max_pool.cl", global: [gradInput.count],
                   gradOutput.deviceBuffer, gradOutput.deviceOffset, argmax.deviceBuffer, argmax.deviceOffset,
                   gradInput.deviceBuffer, gradInput.deviceOffset, Int32(planes), Int32(height), Int32(width))
    }

    public func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                                 runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                                 training: Bool, momentum: Float, epsilon: Float) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [output], perChannel: [gamma, beta, runningMean, runningVariance, saved.mean, saved.inverseStd])
        if batch * spatial == 0 || channels == 0 { return }
        let groupSize = reductionGroupSize
        if training {
            try launch("batch_norm_statistics", in: "batch_norm.cl", options: "-DWG_SIZE=\(groupSize)",
                       global: [channels * groupSize], local: [groupSize],
                       input.deviceBuffer, input.deviceOffset,
                       saved.mean.deviceBuffer, saved.mean.deviceOffset,
                       saved.inverseStd.deviceBuffer, saved.inverseStd.deviceOffset,
                       runningMean.deviceBuffer, runningMean.deviceOffset,
                       runningVariance.deviceBuffer, runningVariance.deviceOffset,
                       Int32(batch), Int32(channels), Int32(spatial), momentum, epsilon)
        }
        let mean = training ? saved.mean : runningMean
        let scale = training ? saved.inverseStd : runningVariance
        try launch("batch_norm_normalize", in: "batch_norm.cl", options: "-DWG_SIZE=\(groupSize)", global: [input.count],
                   input.deviceBuffer, input.deviceOffset, mean.deviceBuffer, mean.deviceOffset,
                   scale.deviceBuffer, scale.deviceOffset, Int32(training ? 0 : 1),
                   gamma.deviceBuffer, gamma.deviceOffset, beta.deviceBuffer, beta.deviceOffset,
                   output.deviceBuffer, output.deviceOffset,
                   Int32(input.count), Int32(channels), Int32(spatial), epsilon)
    }

    public func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, saved: BatchNormSaved,
                                  gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [gradOutput, gradInput], perChannel: [gamma, gradGamma, gradBeta, saved.mean, saved.inverseStd])
        if batch * spatial == 0 || channels == 0 { return }
        let groupSize = reductionGroupSize
        try launch("batch_norm_backward_reduce", in: "batch_norm.cl", options: "-DWG_SIZE=\(groupSize)",
                   global: [channels * groupSize], local: [groupSize],
                   input.deviceBuffer, input.deviceOffset, gradOutput.deviceBuffer, gradOutput.deviceOffset,
                   saved.mean.deviceBuffer, saved.mean.deviceOffset, saved.inverseStd.deviceBuffer, saved.inverseStd.deviceOffset,
                   gradGamma.deviceBuffer, gradGamma.deviceOffset, gradBeta.deviceBuffer, gradBeta.deviceOffset,
                   Int32(batch), Int32(channels), Int32(spatial))
        try launch("batch_norm_backward_input", in: "batch_norm.cl", options: "-DWG_SIZE=\(groupSize)", global: [input.count],
                   input.deviceBuffer, input.deviceOffset, gamma.deviceBuffer, gamma.deviceOffset,
                   gradOutput.deviceBuffer, gradOutput.deviceOffset,
                   saved.mean.deviceBuffer, saved.mean.deviceOffset, saved.inverseStd.deviceBuffer, saved.inverseStd.deviceOffset,
                   gradGamma.deviceBuffer, gradGamma.deviceOffset, gradBeta.deviceBuffer, gradBeta.deviceOffset,
                   gradInput.deviceBuffer, gradInput.deviceOffset,
                   Int32(input.count), Int32(channels), Int32(spatial), Int32(batch * spatial))
    }
}
