import Foundation
import VDropCL

/// One compile-time shape of `Kernels/gemm_tiled.cl`: a work-group computes a `tileM` × `tileN`
/// output tile, staging `tileK` values of k at a time, and each of its work items computes
/// `itemM` × `itemN` outputs (4 or 8 each).
public struct TiledGemmConfiguration: Hashable, Codable, Sendable, CustomStringConvertible {
    public var tileM, tileN, tileK, itemM, itemN: Int

    public init(tileM: Int, tileN: Int, tileK: Int = 16, itemM: Int, itemN: Int) {
        self.tileM = tileM
        self.tileN = tileN
        self.tileK = tileK
        self.itemM = itemM
        self.itemN = itemN
    }

    /// 64 × 64 tiles, 4 × 4 per work item: many groups for small outputs.
    public static let small = TiledGemmConfiguration(tileM: 64, tileN: 64, itemM: 4, itemN: 4)
    /// 64 × 128 tiles, 4 × 8 per work item.
    public static let wide = TiledGemmConfiguration(tileM: 64, tileN: 128, itemM: 4, itemN: 8)
    /// 128 × 64 tiles, 8 × 4 per work item.
    public static let tall = TiledGemmConfiguration(tileM: 128, tileN: 64, itemM: 8, itemN: 4)
    /// 128 × 128 tiles, 8 × 8 per work item: the fewest local-memory reads per multiply-add.
    public static let large = TiledGemmConfiguration(tileM: 128, tileN: 128, itemM: 8, itemN: 8)
    /// The same staging 32 k values per step: half the barriers, twice the registers for loads.
    public static let largeDeep = TiledGemmConfiguration(tileM: 128, tileN: 128, tileK: 32, itemM: 8, itemN: 8)
    /// What `vdrop tune` tries against CLBlast.
    public static let candidates: [TiledGemmConfiguration] = [.small, .wide, .tall, .large, .largeDeep]

    /// The work-group: work items along n, along m.
    public var group: (x: Int, y: Int) { (tileN / itemN, tileM / itemM) }

    /// Whether the kernel can be built this way on a device with these limits: whole vector
    /// blocks per work item, a staged tile that splits evenly over the work items, and both
    /// staged tiles in local memory.
    public func isValid(maxWorkGroupSize: Int, localMemory: UInt64) -> Bool {
        // The sizes come from tuning reports too: check them before dividing or multiplying by them.
        guard [4, 8].contains(itemM), [4, 8].contains(itemN), [tileM, tileN, tileK].allSatisfy({ (1...4096).contains($0) }),
              tileM % itemM == 0, tileN % itemN == 0 else { return false }
        let threads = group.x * group.y
        guard threads <= maxWorkGroupSize,
              (tileM * tileK) % threads == 0, (tileN * tileK) % threads == 0 else { return false }
        return UInt64(4 * tileK * (tileM + 4 + tileN + 4)) <= localMemory
    }

    /// The build options for products with these transposes.
    func options(transposeA: Bool, transposeB: Bool) -> String {
        "-DTM=\(tileM) -DTN=\(tileN) -DTK=\(tileK) -DWM=\(itemM) -DWN=\(itemN) -DTRANS_A=\(transposeA ? 1 : 0) -DTRANS_B=\(transposeB ? 1 : 0)"
    }

    /// Output tiles of an m × n product.
    public func tiles(m: Int, n: Int) -> Int { ((m + tileM - 1) / tileM) * ((n + tileN - 1) / tileN) }

    public var description: String { "\(tileM)×\(tileN)\(tileK == 16 ? "" : "×\(tileK)")/\(itemM)×\(itemN)" }
}

/// How `k` is cut for the split-K path: `slices` chunks of `chunk` values (the last may be shorter).
public struct SplitKPlan: Equatable, Sendable {
    public var slices: Int
    public var chunk: Int

    public init(slices: Int, chunk: Int) {
        self.slices = slices
        self.chunk = chunk
    }

    /// `wanted` chunks of whole `kStep`s covering k; rounding up can leave fewer than asked for.
    public init(k: Int, wanted: Int, kStep: Int) {
        let chunk = ((k + max(wanted, 1) - 1) / max(wanted, 1) + kStep - 1) / kStep * kStep
        self.init(slices: max(1, (k + chunk - 1) / max(chunk, 1)), chunk: max(chunk, kStep))
    }

    /// No chunk is shorter than this: below it, the partial sums cost more than they save.
    static let minimumChunk = 256

    /// Enough chunks for 4 work-groups per compute unit when `tiles` output tiles are fewer,
    /// as many as k allows with chunks of at least 256; 1 when no split is worth it.
    public static func slices(tiles: Int, k: Int, computeUnits: Int) -> Int {
        guard tiles < 4 * computeUnits else { return 1 }
        let wanted = (4 * computeUnits + tiles - 1) / tiles
        let slices = min(wanted, k / minimumChunk)
        return slices >= 2 ? slices : 1
    }
}

/// Which engine computes one product: CLBlast, or `gemm_tiled.cl` in a configuration, cut into
/// `slices` along k (1: no split).
public enum GemmRoute: Hashable, Codable, Sendable, CustomStringConvertible {
    case clblast
    case tiled(TiledGemmConfiguration, slices: Int)

    public var description: String {
        switch self {
        case .clblast: return "CLBlast"
        case .tiled(let configuration, let slices): return "tiled \(configuration)" + (slices > 1 ? ", \(slices) slices" : "")
        }
    }

    /// vdrop's rule for a device nobody has tuned (`vdrop tune` measures every shape instead).
    ///
    /// On a GPU, a product whose output has fewer 128 × 128 tiles than the device has compute
    /// units, over a k long enough for two chunks of 256, goes to the tiled kernel, cut along k
    /// (``SplitKPlan``): in 64 × 64 tiles when the output is under 4 large tiles, else in
    /// 128 × 128. Everything else stays on CLBlast. The rule comes from `vdrop tune` on an H200
    /// (132 compute units), timing every route of VGG-like's and LeNet-5's 31 product shapes:
    /// CLBlast gives each output tile one work-group that walks all of k, so a conv weight
    /// gradient (20 × 25 outputs over k = 57 600) took 3.1 ms on CLBlast and 0.055 split 225
    /// ways, 512 × 400 × 4608 took 0.66 ms and 0.16 split; with 200 or more large tiles
    /// CLBlast was as fast or faster (128 × 25600 × 1152: 0.31 ms, the tiled kernel 0.42).
    /// On a CPU device (PoCL) CLBlast ran LeNet-5's first weight gradient in 6 ms and the split
    /// kernel in 41, so there every product stays on CLBlast.
    public static func automatic(for shape: GemmShape, device: Device) -> GemmRoute {
        guard device.kind == .gpu else { return .clblast }
        return automatic(for: shape, computeUnits: device.computeUnits)
    }

    /// The GPU rule of ``automatic(for:device:)`` for a device of `computeUnits` compute units.
    public static func automatic(for shape: GemmShape, computeUnits: Int) -> GemmRoute {
        let largeTiles = TiledGemmConfiguration.large.tiles(m: shape.m, n: shape.n)
        guard largeTiles < computeUnits, shape.k >= 2 * SplitKPlan.minimumChunk else { return .clblast }
        let configuration: TiledGemmConfiguration = largeTiles < 4 ? .small : .large
        let slices = SplitKPlan.slices(tiles: configuration.tiles(m: shape.m, n: shape.n), k: shape.k, computeUnits: computeUnits)
        return .tiled(configuration, slices: slices)
    }
}

/// Which products leave CLBlast (`vdrop bench --gemm-routes`).
public enum GemmRouting: Sendable, Equatable {
    /// The routes `vdrop tune` measured for this device where it has them, else ``GemmRoute/automatic(for:computeUnits:)``.
    case automatic
    /// Every product on CLBlast, to compare against.
    case clblastOnly
    /// Every product on `gemm_tiled.cl` in this configuration, split as ``SplitKPlan`` suggests.
    case allTiled(TiledGemmConfiguration)
}
