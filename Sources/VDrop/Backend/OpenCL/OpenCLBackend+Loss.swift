import Foundation

/// Softmax cross-entropy and the deterministic sum on the device
/// (`Kernels/cross_entropy.cl`, `Kernels/reduce_sum.cl`).
extension OpenCLBackend: LossOperations {
    public func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradScale: Float, gradLogits: Tensor?,
                                    rowLoss: Tensor, rowCorrect: Tensor) throws {
        let (rows, classes) = OperationShapes.crossEntropy(logits: logits, labels: labels, gradLogits: gradLogits,
                                                           rowLoss: rowLoss, rowCorrect: rowCorrect)
        // Without a gradient the kernel still takes a tensor there; it never writes it.
        try lossKernels.crossEntropy(logits: logits, labels: labels, gradLogits: gradLogits ?? rowLoss, hasGrad: gradLogits != nil,
                                     rowLoss: rowLoss, rowCorrect: rowCorrect, rows: rows, classes: classes, gradScale: gradScale)
    }

    public func sum(_ input: Tensor, into output: Tensor) throws {
        precondition(output.count == 1, "a sum goes into one value, not \(output)")
        let kernels = lossKernels, groupSize = kernels.sumGroupSize
        // Enough groups to fill a device, each work item still adding at least 8 values;
        // at most one partial per work item of the final group.
        let groups = min(groupSize, max(1, (input.count + groupSize * 8 - 1) / (groupSize * 8)))
        if groups == 1 {
            try kernels.sumPartials(input: input, count: input.count, output: output, groups: 1)
            return
        }
        let partials = try scratchTensor("reduce_sum.partials", count: groupSize)
        try kernels.sumPartials(input: input, count: input.count, output: partials, groups: groups)
        try kernels.sumPartials(input: partials, count: groups, output: output, groups: 1)
    }
}
