/// Host side of `Kernels/cross_entropy.cl` and `Kernels/reduce_sum.cl`.
struct LossKernels {
    let backend: OpenCLBackend

    /// The work-group size of the sum's tree (`-DWG_SIZE`): 256, or what the device allows.
    var sumGroupSize: Int { KernelConstants.treeGroupSize(preferred: 256, maxWorkGroupSize: backend.device.maxWorkGroupSize) }

    /// `cross_entropy_forward_backward`, one work item per row. Without a gradient the kernel
    /// still takes a buffer there (`gradLogits` may be any tensor); it never writes it.
    func crossEntropy(logits: Tensor, labels: Tensor, gradLogits: Tensor, hasGrad: Bool, rowLoss: Tensor, rowCorrect: Tensor,
                      rows: Int, classes: Int, gradScale: Float) throws {
        try backend.launch("cross_entropy_forward_backward", in: "cross_entropy.cl", global: [rows],
                           logits, labels, gradLogits, hasGrad, rowLoss, rowCorrect, Int32(rows), Int32(classes), gradScale)
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
