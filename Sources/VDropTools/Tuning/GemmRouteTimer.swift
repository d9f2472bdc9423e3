import Foundation
import VDrop

/// Times product shapes on their routes (CLBlast, and `gemm_tiled.cl` in each tile shape, unsplit
/// and split along k) and keeps the fastest correct route of each: the part of tuning that
/// ``GemmTuner`` (`vdrop tune`) and ``GemmAutoTuning`` (the first use of a device) share.
///
/// Operands are filled once with Philox values in [−1, 1), large enough for every shape. Each
/// route's product is checked against CLBlast's, computed with the parameters applied when
/// ``computeReferences()`` ran, before it is timed.
public final class GemmRouteTimer {
    public let backend: OpenCLBackend
    /// The distinct shapes, ascending by m·n·k, and how often each runs per step.
    public let shapes: [GemmShape]
    public let counts: [Int]
    private let a, b, c: Tensor
    /// CLBlast's products of each shape, and max(1, max |value|) of each.
    private var references: [[Float]] = []
    private var scales: [Float] = []

    /// - Parameter workload: the GEMMs of one step, repeats included.
    public init(backend: OpenCLBackend, workload: [GemmShape]) throws {
        guard !workload.isEmpty else { throw GemmTuningError.nothingToTune }
        var counted: [GemmShape: Int] = [:]
        for shape in workload { counted[shape, default: 0] += 1 }
        let sorted = counted.sorted { ($0.key.product, $0.key.description) < ($1.key.product, $1.key.description) }
        self.backend = backend
        shapes = sorted.map(\.key)
        counts = sorted.map(\.value)
        let most = (a: shapes.map { $0.m * $0.k }.max()!, b: shapes.map { $0.k * $0.n }.max()!, c: shapes.map { $0.m * $0.n }.max()!)
        a = try backend.allocate([most.a])
        b = try backend.allocate([most.b])
        c = try backend.allocate([most.c])
        let key = NoiseKey(seed: 7, step: 0, stream: 0x6E33)
        try backend.upload((0..<most.a).map { 2 * Philox.uniform(key.word($0)) - 1 }, to: a)
        try backend.upload((0..<most.b).map { 2 * Philox.uniform(key.word(most.a + $0)) - 1 }, to: b)
    }

    /// Whether ``computeReferences()`` has run.
    var hasReferences: Bool { !references.isEmpty }

    /// Computes every shape's reference product on CLBlast with the parameters applied now.
    func computeReferences() throws {
        references = try shapes.map { shape in
            try multiply(shape, route: .clblast)
            return try backend.download(c.slice(from: 0, shape: [shape.m * shape.n]))
        }
        scales = references.map { reference in reference.reduce(1) { max($0, abs($1)) } }
    }

    /// The largest |product − reference| of one shape.
    private static func largestError(_ product: [Float], _ reference: [Float]) -> Float {
        var largest: Float = 0
        for i in product.indices {
            let error = abs(product[i] - reference[i])
            // A NaN compares false: make it count as the worst error.
            largest = error <= largest ? largest : (error.isNaN ? .infinity : error)
        }
        return largest
    }

    private func multiply(_ shape: GemmShape, route: GemmRoute, alpha: Float = 1) throws {
        try backend.gemm(shape, route: route, alpha: alpha, a: a, b: b, beta: 0, c: c)
    }

    /// Checks the product of shape `index` on `route` against its reference.
    func check(_ index: Int, route: GemmRoute) throws {
        let shape = shapes[index]
        // A kernel that writes nothing (tiles its threads cannot split can leave it so) must not pass
        // with the last product left over, which is often this very one: in C (so C is overwritten
        // first; β = 0, so a finite value is never read by a kernel that works, where NaN could be,
        // as 0·NaN), or in CLBlast's padded copy of C, which only another product overwrites. So the
        // check computes −A·B (α = −1, exact) where references and timings compute A·B.
        try backend.fill(c, with: 1e30)
        try multiply(shape, route: route, alpha: -1)
        let product = try backend.download(c.slice(from: 0, shape: [shape.m * shape.n])).map { -$0 }
        let scale = scales[index], error = Self.largestError(product, references[index])
        // Orders of summation differ by ~√k·ε·|C|; a wrong tiling is off by ~|C|.
        guard error <= 1e-3 * scale else { throw GemmTuningError.wrongProduct(shape: shape, error: error, scale: scale) }
    }

    /// Median seconds per run of `shape` on `route` over `samples` timed samples.
    func time(_ shape: GemmShape, route: GemmRoute, samples: Int) throws -> Double {
        // Several runs per sample for small products, so the wait at the end does not dominate.
        let runs = max(1, min(10, 50_000_000 / max(shape.product, 1)))
        let times = try Stopwatch.measure(warmup: 1, samples: samples) {
            for _ in 0..<runs { try multiply(shape, route: route) }
            try backend.synchronize()
        }
        return Stopwatch.median(times) / Double(runs)
    }

    /// The routes tried for `shape`: CLBlast first, then each of `configurations` the device can
    /// build, unsplit, and split as ``SplitKPlan`` suggests, half and twice as many slices (slices
    /// of at least 128 values of k, each count once after rounding to whole steps).
    public func routes(for shape: GemmShape,
                       configurations: [TiledGemmConfiguration] = TiledGemmConfiguration.candidates) -> [GemmRoute] {
        let device = backend.device
        var routes: [GemmRoute] = [.clblast]
        for configuration in configurations
        where configuration.isValid(maxWorkGroupSize: device.maxWorkGroupSize, localMemory: device.localMemory) {
            let suggested = SplitKPlan.slices(tiles: configuration.tiles(m: shape.m, n: shape.n), k: shape.k, computeUnits: device.computeUnits)
            var seen: Set<Int> = []
            for wanted in [1, suggested / 2, suggested, 2 * suggested] where wanted >= 1 && (wanted == 1 || shape.k / wanted >= 128) {
                let slices = SplitKPlan(k: shape.k, wanted: wanted, kStep: configuration.tileK).slices
                if seen.insert(slices).inserted { routes.append(.tiled(configuration, slices: slices)) }
            }
        }
        return routes
    }

    /// What timing one shape's routes found.
    public struct Choice: Equatable, Sendable {
        /// The fastest correct route (CLBlast on ties) and its median seconds per run.
        public var route: GemmRoute
        public var seconds: Double
        /// Seconds per run on CLBlast with the parameters applied now (nil if it failed there).
        public var clblastSeconds: Double?
        /// Seconds per run on vdrop's rule's route (``GemmRoute/automatic(for:device:)``), when
        /// that route was among those timed.
        public var ruleSeconds: Double?
    }

    /// Times the shapes at `indices`, in that order, on each of their ``routes(for:configurations:)``
    /// and returns the choice of each. Past `deadline` (``Stopwatch/now()`` seconds) no further shape
    /// or route is started, and a shape not timed on every route is left out, so the result may
    /// hold fewer shapes than asked for. `progress` gets a line per shape;
    /// routes that fail to build, launch or agree are added to `rejected`.
    func chooseRoutes(_ indices: [Int], samples: Int, configurations: [TiledGemmConfiguration] = TiledGemmConfiguration.candidates,
                      deadline: Double = .infinity, progress: (String) -> Void,
                      rejected: inout [String]) throws -> [Int: Choice] {
        if !hasReferences { try computeReferences() }
        var choices: [Int: Choice] = [:]
        for index in indices {
            let shape = shapes[index]
            let rule = normalized(GemmRoute.automatic(for: shape, device: backend.device), k: shape.k)
            var best: (GemmRoute, Double)?
            var clblast: Double?, ruleSeconds: Double?
            var line = "\(shape) ×\(counts[index]):"
            var complete = true
            for route in routes(for: shape, configurations: configurations) {
                // A route can cost a program build (seconds on PoCL): the deadline is checked before each.
                guard Stopwatch.now() < deadline else { complete = false; break }
                do {
                    try check(index, route: route)
                    let seconds = try time(shape, route: route, samples: samples)
                    line += String(format: " %@ %.3f", "\(route)", seconds * 1e3)
                    if route == .clblast { clblast = seconds }
                    if route == rule { ruleSeconds = seconds }
                    if best == nil || seconds < best!.1 { best = (route, seconds) }
                } catch {
                    rejected.append("\(shape) on \(route): \(error)")
                    line += " \(route) rejected"
                }
            }
            // A shape not timed on every route is left out, to be timed whole another time.
            guard complete else { break }
            progress(line + " ms → \(best?.0.description ?? "none")")
            guard let best else { throw GemmTuningError.noRoute(shape: shape) }
            choices[index] = Choice(route: best.0, seconds: best.1, clblastSeconds: clblast, ruleSeconds: ruleSeconds)
        }
        return choices
    }

    /// `route` with its slices as the launch rounds them for k (what ``routes(for:configurations:)`` lists).
    private func normalized(_ route: GemmRoute, k: Int) -> GemmRoute {
        guard case .tiled(let configuration, let slices) = route else { return route }
        return .tiled(configuration, slices: SplitKPlan(k: k, wanted: slices, kStep: configuration.tileK).slices)
    }
}
