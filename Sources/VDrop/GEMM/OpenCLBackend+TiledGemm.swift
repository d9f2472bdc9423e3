import Foundation

extension OpenCLBackend {
    /// The scratch buffer of split products' partial sums.
    static let splitPartialSums = "gemm_tiled.partial"

    /// Gives back the scratch that split routes' partial sums took (timing every route can
    /// grow it far beyond what the routes kept need).
    public func releaseSplitPartialSums() { releaseScratch(Self.splitPartialSums) }

    /// The route of `shape` under ``gemmRouting``: a tuned route for it, else vdrop's rule.
    public func gemmRoute(for shape: GemmShape) -> GemmRoute {
        switch gemmRouting {
        case .clblastOnly: return .clblast
        case .automatic: return tunedGemmRoutes[shape] ?? GemmRoute.automatic(for: shape, device: device)
        case .allTiled(let configuration):
            let tiles = configuration.tiles(m: shape.m, n: shape.n)
            return .tiled(configuration, slices: SplitKPlan.slices(tiles: tiles, k: shape.k, computeUnits: device.computeUnits))
        }
    }

    /// C = α·op(A)·op(B) + β·C through `gemm_tiled.cl`; returns false (and enqueues nothing) when
    /// the configuration does not fit this device or the operands are too large for the kernel's
    /// int indices, so the caller falls back to CLBlast. With more than one slice, two launches:
    /// the partial products, then their fixed-order sum.
    func gemmTiled(_ shape: GemmShape, configuration: TiledGemmConfiguration, slices wanted: Int,
                   alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws -> Bool {
        try gemmTiled(shape, configuration: configuration, slices: wanted, alpha: alpha, a: [a], b: [b], beta: beta, c: [c])
    }

    /// The same product for every seed of a batch in the same launches (tensor s of each list is
    /// seed s's, the lists at equal strides in one buffer each): the grid's third dimension counts
    /// seeds × slices, so seed s gets the bits its own product gives.
    func gemmTiled(_ shape: GemmShape, configuration: TiledGemmConfiguration, slices wanted: Int,
                   alpha: Float, a: [Tensor], b: [Tensor], beta: Float, c: [Tensor]) throws -> Bool {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let plan = SplitKPlan(k: k, wanted: wanted, kStep: configuration.tileK)
        guard configuration.isValid(maxWorkGroupSize: device.maxWorkGroupSize, localMemory: device.localMemory),
              m * k <= Int(Int32.max), k * n <= Int(Int32.max), m * n <= Int(Int32.max),
              plan.slices * m * n <= Int(Int32.max),  // the reduction counts partial sums with int
              plan.slices * c.count <= Int(UInt16.max)  // OpenCL devices promise 65 535 groups per dimension at least
        else { return false }
        let perSeed = plan.slices * m * n
        let partial: [Tensor]
        if plan.slices > 1 {
            let scratch = try scratchTensor(Self.splitPartialSums, count: c.count * perSeed)
            partial = c.indices.map { scratch.slice(from: $0 * perSeed, shape: [perSeed]) }
        } else {
            partial = c
        }
        let seeds = c.count > 1 ? ", \(c.count) seeds" : ""
        try gemmTiledKernels.product(a: a, b: b, c: c, partial: partial, m: m, n: n, k: k, chunk: plan.chunk, slices: plan.slices,
                                     alpha: alpha, beta: beta, configuration: configuration,
                                     transposeA: shape.transposeA, transposeB: shape.transposeB,
                                     label: "tiled \(configuration) \(m)×\(n)×\(k) \(shape.transposeLetters)" + (plan.slices > 1 ? ", \(plan.slices) slices" : "") + seeds)
        guard plan.slices > 1 else { return true }
        try gemmTiledKernels.splitKReduce(partial: partial, slices: plan.slices, count: m * n, alpha: alpha, beta: beta, c: c,
                                          label: "split-K sum \(m)×\(n)" + seeds)
        return true
    }
}
