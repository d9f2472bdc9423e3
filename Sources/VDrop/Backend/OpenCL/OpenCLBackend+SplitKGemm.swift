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

    /// When to split. `.automatic` sends every product with k long enough for two chunks to the
    /// kernel, in enough chunks for 4 work-groups per compute unit: on an H200 that made
    /// VGG-like's step 27.7 ms, against 29.0 ms splitting only the products whose output tiles
    /// could not fill the device (the 1- to 18-tile ones, which CLBlast ran at 0.05 to 2.9
    /// TFLOP/s), and 53.4 ms with all of them on CLBlast. `.never` leaves them all to CLBlast.
    public enum Mode: Sendable { case automatic, never }

    /// The plan for an m × n output over `k` on a device of `computeUnits` compute units, or nil
    /// to leave the product to CLBlast.
    public static func plan(m: Int, n: Int, k: Int, computeUnits: Int, mode: Mode) -> SplitKPlan? {
        guard mode == .automatic else { return nil }
        let tiles = ((m + tile - 1) / tile) * ((n + tile - 1) / tile)
        let most = k / minimumChunk
        let wanted = max(2, (4 * computeUnits + tiles - 1) / tiles)
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
