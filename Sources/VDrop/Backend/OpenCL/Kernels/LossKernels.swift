/// Host side of `Kernels/cross_entropy.cl` and `Kernels/reduce_sum.cl`.
struct LossKernels {
    let backend: OpenCLBackend

    /// The work-group size of the sum's tree (`-DWG_SIZE`): 256, or what the device allows.
    var sumGroupSize: Int { KernelConstants.treeGroupSize(preferred: 256, maxWorkGroupSize: backend.device.maxWorkGroupSize) }

    /// `cross_entropy_forward_backward`, one work item per row. Without a gradient the kernel
    /// still takes a buffer there (`gradLogits` may be any tensor); it never writes it.
    func crossEntropy(logits: Tensor, labels: Tensor, gradLogits: Tensor, hasGrad: Bool, rowLoss: Tensor, rowCorrect: Tensor,
                      rows: Int, classes: Int, gradScale: Float) throws {
        try crossEntropy(logits: [logits], labels: [labels], gradLogits: [gradLogits], hasGrad: hasGrad, rowLoss: [rowLoss],
                         rowCorrect: [rowCorrect], rows: rows, classes: classes, gradScale: gradScale)
    }

    /// The same for every seed of a batch at once (tensor s of each list is seed s's, each list
    /// at a fixed stride in one buffer): the seeds along the grid's second dimension.
    func crossEntropy(logits: [Tensor], labels: [Tensor], gradLogits: [Tensor], hasGrad: Bool, rowLoss: [Tensor], rowCorrect: [Tensor],
                      rows: Int, classes: Int, gradScale: Float) throws {
        func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
        let group = min(OpenCLBackend.elementwiseGroupSize, backend.device.maxWorkGroupSize)
        try backend.launch("cross_entropy_forward_backward", in: "cross_entropy.cl",
                           global: logits.count == 1 ? [rows] : [rows, logits.count], local: logits.count == 1 ? nil : [group, 1],
                           seeds(logits), seeds(labels), seeds(gradLogits), hasGrad, seeds(rowLoss), seeds(rowCorrect),
                           Int32(rows), Int32(classes), gradScale)
    }

    /// `reduce_sum_partials` over `groups` work-groups: output[group] = the group's strided share of Σ input.
    func sumPartials(input: Tensor, count: Int, output: Tensor, groups: Int) throws {
        try backend.launch("reduce_sum_partials", in: "reduce_sum.cl", options: "-DWG_SIZE=\(sumGroupSize)",
                           global: [groups * sumGroupSize], local: [sumGroupSize], input, Int32(count), output)
    }
}

extension OpenCLBackend {
    var lossKernels: LossKernels { LossKernels(backend: self) }
}
