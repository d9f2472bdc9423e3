import Foundation

/// How a product C = αA·Bᵀ + βC is cut along k for `gemm_split_k.cl`: `slices` chunks of `chunk`
/// k values (the last may be shorter), each a work-group per 64 × 64 output tile.
public struct SplitKPlan: Equatable, Sendable {
    public var slices: Int
    public var chunk: Int

    public init(slices: Int, chunk: Int) {
        self.slices = slices
        self.chunk = chunk
    }

    /// Output tile side and the k step of the kernel (its TILE and TK).
    static let tile = 64, kStep = 16
    /// No chunk is shorter than this: below it, the partial sums cost more than they save.
    static let minimumChunk = 256

    /// When to split, for a device of `computeUnits` compute units. `.automatic` splits only
    /// products whose output tiles would leave most of the device idle (fewer than a quarter as
    /// many tiles as compute units) and aims at 4 work-groups per compute unit; CLBlast does
    /// better on everything else (on an H200 it ran VGG-like's 144-tile weight gradients at
    /// 14.5 TFLOP/s, its 1- to 18-tile ones at 0.05 to 2.9). `.always` splits whenever k allows
    /// two chunks (the tests use it to run the kernels on PoCL's few compute units).
    public enum Mode: Sendable { case automatic, always, never }

    /// The plan for an m × n output over `k`, or nil to leave the product to CLBlast.
    public static func plan(m: Int, n: Int, k: Int, computeUnits: Int, mode: Mode) -> SplitKPlan? {
        let tiles = ((m + tile - 1) / tile) * ((n + tile - 1) / tile)
        let most = k / minimumChunk
        let wanted: Int
        switch mode {
        case .never: return nil
        case .always: wanted = max(2, 4 * computeUnits / tiles)
        case .automatic:
            guard tiles * 4 < computeUnits else { return nil }
            wanted = (4 * computeUnits + tiles - 1) / tiles
        }
        let slices = min(wanted, most)
        guard slices >= 2 else { return nil }
        // Chunks are whole k steps; rounding up can leave fewer slices than asked for.
        let chunk = ((k + slices - 1) / slices + kStep - 1) / kStep * kStep
        let used = (k + chunk - 1) / chunk
        return used >= 2 ? SplitKPlan(slices: used, chunk: chunk) : nil
    }
}

extension OpenCLBackend {
    /// C = αA·Bᵀ + βC through `gemm_split_k.cl` when ``splitKMode`` plans a split for it; returns
    /// false (and enqueues nothing) otherwise. Two launches: the partial products, then their sum.
    func gemmSplitK(m: Int, n: Int, k: Int, alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws -> Bool {
        guard let plan = SplitKPlan.plan(m: m, n: n, k: k, computeUnits: device.computeUnits, mode: splitKMode) else { return false }
        precondition(plan.slices * m * n <= Int(Int32.max), "split-K partials past 2³¹ values")
        let partial = try scratchTensor("gemm_split_k.partial", count: plan.slices * m * n)
        let tile = SplitKPlan.tile, group = 16
        try launch("gemm_nt_split_k", in: "gemm_split_k.cl",
                   global: [(n + tile - 1) / tile * group, (m + tile - 1) / tile * group, plan.slices], local: [group, group, 1],
                   a.deviceBuffer, a.deviceOffset, b.deviceBuffer, b.deviceOffset, partial.deviceBuffer, partial.deviceOffset,
                   Int32(m), Int32(n), Int32(k), Int32(plan.chunk))
        try launch("gemm_split_k_reduce", in: "gemm_split_k.cl", global: [m * n],
                   partial.deviceBuffer, partial.deviceOffset, Int32(plan.slices), Int32(m * n), alpha, beta,
                   c.deviceBuffer, c.deviceOffset)
        return true
    }
}
