/// Host side of `Kernels/gemm_tiled.cl`.
struct GemmTiledKernels {
    let backend: OpenCLBackend

    /// `gemm_tiled`: C (or, with several slices, partial) = α·op(A)·op(B) + β·C over the grid of
    /// output tiles × k slices of `chunk`, for every seed of the lists at once (tensor s of each
    /// list is seed s's; one tensor each for a single product).
    func product(a: [Tensor], b: [Tensor], c: [Tensor], partial: [Tensor], m: Int, n: Int, k: Int, chunk: Int, slices: Int,
                 alpha: Float, beta: Float, configuration: TiledGemmConfiguration, transposeA: Bool, transposeB: Bool,
                 label: @autoclosure () -> String) throws {
        let group = configuration.group
        try backend.launch("gemm_tiled", in: "gemm_tiled.cl", options: configuration.options(transposeA: transposeA, transposeB: transposeB),
                           global: [(n + configuration.tileN - 1) / configuration.tileN * group.x,
                                    (m + configuration.tileM - 1) / configuration.tileM * group.y, slices * c.count],
                           local: [group.x, group.y, 1], label: label(),
                           seeds(a), seeds(b), seeds(c), seeds(partial), Int32(m), Int32(n), Int32(k), Int32(chunk), Int32(slices), alpha, beta)
    }

    /// `gemm_split_k_reduce`: C = α·Σ_slices partial + β·C in slice order, one work item per value and seed.
    func splitKReduce(partial: [Tensor], slices: Int, count: Int, alpha: Float, beta: Float, c: [Tensor],
                      label: @autoclosure () -> String) throws {
        try backend.launch("gemm_split_k_reduce", in: "gemm_tiled.cl", global: c.count == 1 ? [count] : [count, c.count],
                           local: c.count == 1 ? nil : [KernelConstants.lrtGroupSize, 1], label: label(),
                           seeds(partial), Int32(slices), Int32(count), alpha, beta, seeds(c))
    }

    private func seeds(_ tensors: [Tensor]) -> SeedStrided { SeedStrided(tensors, backend: backend) }
}

extension OpenCLBackend {
    var gemmTiledKernels: GemmTiledKernels { GemmTiledKernels(backend: self) }
}
