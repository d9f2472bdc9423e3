import Foundation

/// Softmax cross-entropy and the deterministic sum on the device
/// (`Kernels/cross_entropy.cl`, `Kernels/reduce_sum.cl`).
extension OpenCLBackend: LossOperations {
    public func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradScale: Float, gradLogits: Tensor?,
                                    rowLoss: Tensor, rowCorrect: Tensor) throws {
        let (rows, classes) = OperationShapes.crossEntropy(logits: logits, labels: labels, gradLogits: gradLogits,
                                                           rowLoss: rowLoss, rowCorrect: rowCorrect)
        // Without a gradient the kernel still needs a buffer argument; it never writes it.
        let grad = gradLogits ?? rowLoss
        try launch("cross_entropy_forward_backward", in: "cross_entropy.cl", global: [rows],
                   logits.deviceBuffer, logits.deviceOffset, labels.deviceBuffer, labels.deviceOffset,
                   grad.deviceBuffer, grad.deviceOffset, Int32(gradLogits == nil ? 0 : 1),
                   rowLoss.deviceBuffer, rowLoss.deviceOffset, rowCorrect.deviceBuffer, rowCorrect.deviceOffset,
                   Int32(rows), Int32(classes), gradScale)
    }

    public func sum(_ input: Tensor, into output: Tensor) throws {
        precondition(output.count == 1, "a sum goes into one value, not \(output)")
        let groupSize = reductionGroupSize, options = "-DWG_SIZE=\(groupSize)"
        // Enough groups to fill a device, each work item still adding at least 8 values;
        // at most one partial per work item of the final group.
        let groups = min(groupSize, max(1, (input.count + groupSize * 8 - 1) / (groupSize * 8)))
        if groups == 1 {
            try launch("reduce_sum_partials", in: "reduce_sum.cl", options: options, global: [groupSize], local: [groupSize],
                       input.deviceBuffer, input.deviceOffset, Int32(input.count), output.deviceBuffer, output.deviceOffset)
            return
        }
        let partials = try scratchTensor("reduce_sum.partials", count: groupSize)
        try launch("reduce_sum_partials", in: "reduce_sum.cl", options: options,
                   global: [groups * groupSize], local: [groupSize],
                   input.deviceBuffer, input.deviceOffset, Int32(input.count), partials.deviceBuffer, partials.deviceOffset)
        try launch("reduce_sum_partials", in: "reduce_sum.cl", options: options, global: [groupSize], local: [groupSize],
                   partials.deviceBuffer, partials.deviceOffset, Int32(groups), output.deviceBuffer, output.deviceOffset)
    }
}
