/// How a seed batch's conv products run where their route is CLBlast (`vdrop bench --seed-products`).
/// Each seed's product has the same shape; a tiled route computes them all in one launch either way.
public enum SeedProducts: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One `CLBlastSgemmWithTempBuffer` per seed, as each seed's run alone calls it.
    case perSeed = "per-seed"
    /// One `CLBlastSgemmStridedBatched` for all seeds: the same kernels (Xgemm's or XgemmDirect's
    /// body, the same tuned parameters and kernel choice) with the seed as the grid's third
    /// dimension, so each seed keeps its bits (tested on PoCL). Fewer launches, but CLBlast
    /// allocates the padded operands' temporary buffers in every call, which the single product
    /// takes from a buffer vdrop keeps; which is faster on a GPU is for `gpu-bench.sh` to say.
    case batched

    public var description: String { rawValue }

    /// One product per seed until a GPU measurement says otherwise.
    public static let standard = SeedProducts.perSeed
}
