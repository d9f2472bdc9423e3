/// The same product for every seed of a batch: a seed batch's conv layers multiply each seed's
/// weights with its own columns, shapes equal across the seeds.
extension OpenCLBackend {
    /// C_s = α·op(A_s)·op(B_s) + β·C_s for every seed s (tensor s of each list), each on the route
    /// its own product would take. A tiled route computes all seeds in one launch (two when k is
    /// split) where the lists lie at equal strides; CLBlast, and every route while a
    /// ``ProductObserver`` watches, runs one product per seed: CLBlast's batched SGEMM allocates
    /// device buffers for its offsets in every call, which the temporary-buffer SGEMM this backend
    /// uses was chosen to avoid.
    func gemm(_ shape: GemmShape, alpha: Float, a: [Tensor], b: [Tensor], beta: Float, c: [Tensor]) throws {
        precondition(a.count == c.count && b.count == c.count, "one product per seed")
        let route = gemmRoute(for: shape)
        if c.count > 1, productObserver == nil, shape.m > 0, shape.n > 0, case .tiled(let configuration, let slices) = route,
           a.allSatisfy({ $0.count >= shape.m * shape.k }), b.allSatisfy({ $0.count >= shape.k * shape.n }),
           c.allSatisfy({ $0.count >= shape.m * shape.n }), [a, b, c].allSatisfy({ seedStride($0) != nil }),
           try gemmTiled(shape, configuration: configuration, slices: slices, alpha: alpha, a: a, b: b, beta: beta, c: c) {
            return
        }
        for s in c.indices { try gemm(shape, route: route, alpha: alpha, a: a[s], b: b[s], beta: beta, c: c[s]) }
    }
}
