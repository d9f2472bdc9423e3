/// Host side of `Kernels/gemm_tiled.cl`.
struct GemmTiledKernels {
    let backend: OpenCLBackend

    /// `gemm_tiled`: C (or, with several slices, partial) = α·op(A)·op(B) + β·C over the grid of
    /// output tiles × k slices of `chunk`.
    func product(a: Tensor, b: Tensor, c: Tensor, partial: Tensor, m: Int, n: Int, k: Int, chunk: Int, slices: Int,
                 alpha: Float, beta: Float, configuration: TiledGemmConfiguration, transposeA: Bool, transposeB: Bool,
                 label: @autoclosure () -> String) throws {
        let group = configuration.group
        try backend.launch("gemm_tiled", in: "gemm_tiled.cl", options: configuration.options(transposeA: transposeA, transposeB: transposeB),
                           global: [(n + configuration.tileN - 1) / configuration.tileN * group.x,
                                    (m + configuration.tileM - 1) / configuration.tileM * group.y, slices],
                           local: [group.x, group.y, 1], label: label(),
                           a, b, c, partial, Int32(m), Int32(n), Int32(k), Int32(chunk), alpha, beta)
    }

    /// `gemm_split_k_reduce`: C = α·Σ_slices partial + β·C in slice order, one work item per value.
    func splitKReduce(partial: Tensor, slices: Int, count: Int, alpha: Float, beta: Float, c: Tensor,
                      label: @autoclosure () -> String) throws {
        try backend.launch("gemm_split_k_reduce", in: "gemm_tiled.cl", global: [count], label: label(),
                           partial, Int32(slices), Int32(count), alpha, beta, c)
    }
}

extension OpenCLBackend {
    var gemmTiledKernels: GemmTiledKernels { GemmTiledKernels(backend: self) }
}
