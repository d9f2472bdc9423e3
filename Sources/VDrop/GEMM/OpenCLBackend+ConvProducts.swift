import Foundation

/// The conv layer's paired products on the ``ConvRoute/fused`` and ``ConvRoute/implicit`` routes.
extension OpenCLBackend {
    /// Which buffers a conv layer's forward pass leaves for its backward pass, and which products
    /// run paired, under ``convRoute`` for geometry `g`: a pure function of the route, the
    /// geometry and the device, so forward and backward agree without keeping state.
    struct ConvProductPlan {
        /// The forward products run as one `lrt_conv_gemm` launch.
        var pairedForward: Bool
        /// The weight gradients run as one `lrt_conv_gemm` launch.
        var pairedWeightGradient: Bool
        /// The products read x directly: nothing unfolds x for them.
        var implicit: Bool
        /// The input gradient runs as a convolution of g' with the flipped weights (two implicit
        /// products and one gather), without the column gradients and col2im.
        var implicitInputGradient: Bool = false

        /// Whether the forward pass leaves col(x) in the workspace.
        var forwardWritesColumns: Bool { !(pairedForward && implicit) }
        /// Whether the forward pass leaves col(x⊙x) (with noise).
        var forwardWritesSquares: Bool { !pairedForward }
        /// What the weight gradients read from the workspace.
        var weightGradientReadsColumns: Bool { !(pairedWeightGradient && implicit) }
        var weightGradientReadsSquares: Bool { !pairedWeightGradient }
    }

    func convProductPlan(_ g: ConvGeometry) -> ConvProductPlan {
        guard convRoute != .im2col else { return ConvProductPlan(pairedForward: false, pairedWeightGradient: false, implicit: false) }
        let positions = g.batch * g.outPlane
        let inputPositions = g.batch * g.height * g.width
        return ConvProductPlan(pairedForward: convPairFits(m: g.outChannels, n: positions, k: g.patchSize),
                               pairedWeightGradient: convPairFits(m: g.outChannels, n: g.patchSize, k: positions),
                               implicit: convRoute.readsPatchesImplicitly,
                               implicitInputGradient: convRoute == .implicitFull && g.padding <= g.kernelSize - 1
                                   && convPairFits(m: g.inChannels, n: inputPositions, k: g.outChannels * g.kernelSize * g.kernelSize))
    }

    /// Whether ``convGemmConfiguration`` builds on this device with two staged A tiles, and the
    /// product's indices (its partial sums included) fit the kernel's int.
    private func convPairFits(m: Int, n: Int, k: Int) -> Bool {
        let c = convGemmConfiguration
        guard c.isValid(maxWorkGroupSize: device.maxWorkGroupSize, localMemory: device.localMemory),
              UInt64(4 * c.tileK * (2 * (c.tileM + 4) + c.tileN + 4)) <= device.localMemory else { return false }
        let slices = convSplitK(m: m, n: n, k: k).slices
        return [m * k, k * n, 2 * slices * m * n].allSatisfy { $0 <= Int(Int32.max) }
    }

    /// How k is cut: ``convGemmSlices`` when set, else as ``SplitKPlan/slices(tiles:k:computeUnits:)`` suggests.
    private func convSplitK(m: Int, n: Int, k: Int) -> SplitKPlan {
        let wanted = convGemmSlices ?? SplitKPlan.slices(tiles: convGemmConfiguration.tiles(m: m, n: n), k: k,
                                                          computeUnits: device.computeUnits)
        return SplitKPlan(k: k, wanted: wanted, kStep: convGemmConfiguration.tileK)
    }

    /// c1 = a1·op(B) and, with `a2`, c2 = a2·(op(B)⊙op(B)) in one launch (two more for the
    /// fixed-order sums when k is split); op(B) = col(x) [P × N], or its transpose with
    /// `transposeB`. Call only where ``convProductPlan(_:)`` said the pair fits.
    func convProductPair(a1: Tensor, a2: Tensor?, columns: LRTConvGemmKernels.Columns, c1: Tensor, c2: Tensor?,
                         m: Int, n: Int, k: Int, transposeB: Bool, kernelSize: Int) throws {
        let configuration = convGemmConfiguration
        let plan = convSplitK(m: m, n: n, k: k)
        let count = m * n
        let partial = plan.slices > 1 ? try scratchTensor("lrt_conv_gemm.partial", count: 2 * plan.slices * count) : c1
        let implicit: Bool
        if case .stored = columns { implicit = false } else { implicit = true }
        let what = "\(a2 == nil ? "conv product" : "conv products ×2")\(implicit ? " implicit" : "") \(m)×\(n)×\(k) N\(transposeB ? "T" : "N")"
        try lrtConvGemmKernels.product(a1: a1, a2: a2, columns: columns, c1: c1, c2: c2, partial: partial, m: m, n: n, k: k,
                                       chunk: plan.chunk, slices: plan.slices, configuration: configuration, transposeB: transposeB,
                                       kernelSize: kernelSize,
                                       label: what + " \(configuration)" + (plan.slices > 1 ? ", \(plan.slices) slices" : ""))
        guard plan.slices > 1 else { return }
        try gemmTiledKernels.splitKReduce(partial: [partial], slices: plan.slices, count: count, alpha: 1, beta: 0, c: [c1],
                                          label: "split-K sum \(m)×\(n)")
        guard let c2 else { return }
        try gemmTiledKernels.splitKReduce(partial: [partial.slice(from: plan.slices * count, shape: [plan.slices * count])],
                                          slices: plan.slices, count: count, alpha: 1, beta: 0, c: [c2], label: "split-K sum \(m)×\(n)")
    }
}
