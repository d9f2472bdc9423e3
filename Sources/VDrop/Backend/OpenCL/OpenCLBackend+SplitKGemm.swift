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

    /// When to split. `.automatic` sends a product to the kernel when its 64 × 64 output tiles
    /// are fewer than 4 per compute unit and k allows two chunks, cut into enough chunks for 4
    /// work-groups per compute unit. Per shape on an H200 (VGG-like, `vdrop bench --profile`
    /// with and without the kernel): CLBlast ran 1- to 36-tile weight gradients at 0.05 to 5.6
    /// TFLOP/s and the kernel at 14–15; at 144 and 288 tiles both ran about 15; at 576 tiles
    /// (512 × 4608, k = 1600) CLBlast ran 24.7 and the kernel 16.8. `.never` leaves every
    /// product to CLBlast.
    public enum Mode: Sendable { case automatic, never }

    /// The plan for an m × n output over `k` on a device of `computeUnits` compute units, or nil
    /// to leave the product to CLBlast.
    public static func plan(m: Int, n: Int, k: Int, computeUnits: Int, mode: Mode) -> SplitKPlan? {
        guard mode == .automatic else { return nil }
        let tiles = ((m + tile - 1) / tile) * ((n + tile - 1) / tile)
        guard tiles < 4 * computeUnits else { return nil }
        let most = k / minimumChunk
        let wanted = (4 * computeUnits + tiles - 1) / tiles
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
        guard let plan = SplitKPlan.plan(m: m, n: n, k: k, computeUnits: device.computeUnits, mode: splitKMode),
              plan.slices * m * n <= Int(Int32.max)  // the kernels count partial sums with int
        else { return false }
        let partial = try scratchTensor("gemm_split_k.partial", count: plan.slices * m * n)
        let tile = SplitKPlan.tile, group = 16
        try launch("gemm_nt_split_k", in: "gemm_split_k.cl",
                   global: [(n + tile - 1) / tile * group, (m + tile - 1) / tile * group, plan.slices], local: [group, group, 1],
                   label: "split-K \(m)×\(n)×\(k) NT, \(plan.slices) slices",
                   a.deviceBuffer, a.deviceOffset, b.deviceBuffer, b.deviceOffset, partial.deviceBuffer, partial.deviceOffset,
                   Int32(m), Int32(n), Int32(k), Int32(plan.chunk))
        try launch("gemm_split_k_reduce", in: "gemm_split_k.cl", global: [m * n], label: "split-K sum \(m)×\(n)",
                   partial.deviceBuffer, partial.deviceOffset, Int32(plan.slices), Int32(m * n), alpha, beta,
                   c.deviceBuffer, c.deviceOffset)
        return true
    }
}
