import COpenCL
import VDropCL

/// The same product for every seed of a batch: a seed batch's conv layers multiply each seed's
/// weights with its own columns, shapes equal across the seeds.
extension OpenCLBackend {
    /// C_s = α·op(A_s)·op(B_s) + β·C_s for every seed s (tensor s of each list), each on the route
    /// its own product would take. A tiled route computes all seeds in one launch (two when k is
    /// split) where the lists lie at equal strides; CLBlast one product per seed, or with
    /// ``seedProducts`` `.batched` one strided-batched call. While a ``ProductObserver`` watches,
    /// every route runs one product per seed.
    func gemm(_ shape: GemmShape, alpha: Float, a: [Tensor], b: [Tensor], beta: Float, c: [Tensor]) throws {
        precondition(a.count == c.count && b.count == c.count, "one product per seed")
        let route = gemmRoute(for: shape)
        let batchable = c.count > 1 && productObserver == nil && shape.m > 0 && shape.n > 0 && shape.k > 0
            && a.allSatisfy({ $0.count >= shape.m * shape.k }) && b.allSatisfy({ $0.count >= shape.k * shape.n })
            && c.allSatisfy({ $0.count >= shape.m * shape.n })
        if batchable, let strideA = seedStride(a), let strideB = seedStride(b), let strideC = seedStride(c) {
            if case .tiled(let configuration, let slices) = route,
               try gemmTiled(shape, configuration: configuration, slices: slices, alpha: alpha, a: a, b: b, beta: beta, c: c) {
                return
            }
            if seedProducts == .batched {
                return try clblastStridedBatched(shape, alpha: alpha, a: a[0], strideA: strideA, b: b[0], strideB: strideB,
                                                 beta: beta, c: c[0], strideC: strideC, seeds: c.count)
            }
        }
        for s in c.indices { try gemm(shape, route: route, alpha: alpha, a: a[s], b: b[s], beta: beta, c: c[s]) }
    }

    /// `CLBlastSgemmStridedBatched` over `seeds` products whose operands lie `stride` floats apart.
    private func clblastStridedBatched(_ shape: GemmShape, alpha: Float, a: Tensor, strideA: Int, b: Tensor, strideB: Int,
                                       beta: Float, c: Tensor, strideC: Int, seeds: Int) throws {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var queueHandle: cl_command_queue? = queue.handle
        let (ta, tb) = shape.clblastTransposes
        let (lda, ldb, ldc) = shape.leadingDimensions
        try queue.enqueueCommand("sgemm \(m)×\(n)×\(k) \(shape.transposeLetters), \(seeds) seeds", spansPrecedingGap: true) { event in
            try clblastCheck(
                CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, ta, tb, m, n, k, alpha,
                                           a.deviceBuffer.handle, a.devicePosition, lda, strideA,
                                           b.deviceBuffer.handle, b.devicePosition, ldb, strideB,
                                           beta, c.deviceBuffer.handle, c.devicePosition, ldc, strideC, seeds, &queueHandle, event),
                "CLBlastSgemmStridedBatched(\(m)x\(n)x\(k), \(seeds) seeds)")
        }
    }
}
