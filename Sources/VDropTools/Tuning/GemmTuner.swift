import Foundation
import VDropCL
import VDrop

/// Fits CLBlast's SGEMM parameters to a device, and picks the engine of every product, by timing
/// the GEMMs vdrop's training steps issue.
///
/// CLBlast ships parameters tuned per chip; a chip missing from its database (the H200 is) gets
/// a generic vendor default. Its own tuners time one square size per kernel; this one
/// times the shapes that matter here, each as often as a step runs it:
///
/// 1. CLBlast's own parameters, as the baseline and to compute reference products.
/// 2. Configurations of the direct and of the indirect kernel, alternately (CLBlast's database
///    entries for recent NVIDIA chips first, then random valid points of its tuners' ranges),
///    with every GEMM forced onto the kernel being tried, until the time budget is spent. A
///    configuration whose products differ from the reference, or that fails to build or launch,
///    is rejected.
/// 3. ``GemmPathChoice`` picks the cut between the two kernels and the fastest configuration of
///    each; the choice is applied and timed again. If it is not faster than the baseline,
///    CLBlast's own parameters stay.
/// 4. Every shape is timed on each route: CLBlast with the parameters kept, and `gemm_tiled.cl`
///    in each of ``TiledGemmConfiguration/candidates`` without a split and with the split
///    ``SplitKPlan`` suggests, half and twice as many slices. Each shape keeps its fastest route
///    (a route whose product differs from the reference is rejected). ``GemmRouteTimer`` does
///    this step, here and on a device's first use (``GemmAutoTuning``).
public final class GemmTuner {
    public struct Settings: Sendable {
        /// Wall-clock seconds for step 2.
        public var budgetSeconds: Double = 120
        /// Key of the random configurations, so a tuning run can be repeated.
        public var seed: UInt64 = 1
        /// Timed samples per shape (their median counts).
        public var samples: Int = 3

        public init(budgetSeconds: Double = 120, seed: UInt64 = 1, samples: Int = 3) {
            self.budgetSeconds = budgetSeconds
            self.seed = seed
            self.samples = samples
        }
    }

    public let backend: OpenCLBackend
    /// Checks and times each shape on a route; the route search of step 4 is its own.
    private let timer: GemmRouteTimer
    /// The distinct shapes, ascending by m·n·k, and how often each runs per step.
    public var shapes: [GemmShape] { timer.shapes }
    public var counts: [Int] { timer.counts }

    /// - Parameter workload: the GEMMs of one step, repeats included (see ``workload(of:objective:batch:backend:)``).
    public init(backend: OpenCLBackend, workload: [GemmShape]) throws {
        self.backend = backend
        timer = try GemmRouteTimer(backend: backend, workload: workload)
    }

    /// The GEMMs one training step of each model issues on `backend` (built, stepped once, released).
    public static func workload(of models: [ModelKind], objective: Objective, batch: Int,
                                backend: OpenCLBackend) throws -> [GemmShape] {
        var shapes: [GemmShape] = []
        for model in models {
            let network = try Network(model: model, batch: batch, backend: backend)
            try network.initializeParameters(seed: 1)
            let recorder = ProductShapeRecorder()
            backend.productObserver = recorder
            defer { backend.productObserver = nil }
            try network.trainStep(StepSettings(objective: objective, seed: 1, step: 0, datasetSize: 60_000,
                                               learningRate: 1e-3, regularizerWeight: 1), recordLoss: false)
            try backend.synchronize()
            shapes += recorder.shapes
        }
        return shapes
    }

    /// Runs the search; `progress` receives a line per configuration. Leaves the chosen
    /// parameters applied to the device.
    public func run(_ settings: Settings, progress: (String) -> Void = { _ in }) throws -> GemmTuningReport {
        let started = Stopwatch.now()
        let library = try measure(.library, settings).get()
        progress(String(format: "CLBlast's own parameters: %.3f ms of GEMMs per step", perStep(library) * 1e3))

        var direct = [Timed<XgemmDirectConfiguration>(nil, seconds: try measure(.init(minIndirectSize: CLBlastParameters.alwaysDirect), settings).get())]
        var indirect = [Timed<XgemmConfiguration>(nil, seconds: try measure(.init(minIndirectSize: CLBlastParameters.alwaysIndirect), settings).get())]
        var candidates = CandidateStream(device: backend.device, seed: settings.seed)
        var tried = 0, rejected: [String] = []
        let deadline = Stopwatch.now() + settings.budgetSeconds
        while Stopwatch.now() < deadline, let next = candidates.next(directTurn: tried % 2 == 0) {
            tried += 1
            switch measure(next.parameters, settings) {
            case .success(let seconds):
                switch next {
                case .direct(let d): direct.append(Timed(d, seconds: seconds))
                case .indirect(let x): indirect.append(Timed(x, seconds: seconds))
                }
                progress(String(format: "%3d %@: %.3f ms", tried, "\(next)", perStep(seconds) * 1e3))
            case .failure(let error):
                rejected.append("\(next): \(error)")
                progress("\(String(format: "%3d", tried)) \(next): rejected (\(error))")
            }
        }

        // The parameters are chosen for the products vdrop's rule leaves to CLBlast: the split
        // weight gradients, where CLBlast is 10 to 100 times slower, would outweigh the rest.
        let device = backend.device
        let clblastCounts = shapes.indices.map { GemmRoute.automatic(for: shapes[$0], device: device) == .clblast ? counts[$0] : 0 }
        var chosen = GemmPathChoice.best(shapes: shapes, counts: clblastCounts, direct: direct, indirect: indirect)!.parameters
        var tuned = library
        switch measure(chosen, settings) {
        case .success(let seconds): tuned = seconds
        case .failure(let error): rejected.append("the combination \(chosen): \(error)")
        }
        if perStep(tuned, counts: clblastCounts) >= perStep(library, counts: clblastCounts) {
            chosen = .library
            try backend.applyGemmParameters(chosen)
        }

        let rule = try measure(chosen, settings, route: { GemmRoute.automatic(for: $0, device: device) }).get()
        progress(String(format: "vdrop's rule for the routes: %.3f ms of GEMMs per step; timing every route of every shape:", perStep(rule) * 1e3))
        let best = try timer.chooseRoutes(Array(shapes.indices), samples: settings.samples, progress: progress, rejected: &rejected)
        let routes = Dictionary(uniqueKeysWithValues: shapes.indices.map { (shapes[$0], best[$0]!.route) })
        let routed = try measure(chosen, settings, route: { routes[$0] ?? .clblast }).get()
        return GemmTuningReport(
            device: backend.device.name, driver: backend.device.driverVersion,
            date: ISO8601DateFormatter().string(from: Date()), parameters: chosen,
            libraryMsPerStep: perStep(library) * 1e3, ruleMsPerStep: perStep(rule) * 1e3, tunedMsPerStep: perStep(routed) * 1e3,
            configurationsTried: tried, rejected: rejected, seconds: Stopwatch.now() - started,
            shapes: shapes.indices.map { i in
                GemmTuningReport.ShapeTiming(shape: shapes[i], perStep: counts[i], libraryMs: library[i] * 1e3, ruleMs: rule[i] * 1e3,
                                             tunedMs: routed[i] * 1e3, route: best[i]!.route)
            })
    }

    /// Σ count·seconds (with the step's counts unless others are given).
    private func perStep(_ seconds: [Double], counts: [Int]? = nil) -> Double {
        zip(counts ?? self.counts, seconds).reduce(0) { $0 + Double($1.0) * $1.1 }
    }

    /// Applies `parameters`, checks every shape's product on its route (`route`, by default
    /// CLBlast) against the reference (CLBlast's own parameters' product, computed on the first
    /// call), then returns the median seconds per run of each shape; a failure to build, launch
    /// or agree is the error.
    public func measure(_ parameters: CLBlastParameters, _ settings: Settings,
                        route: (GemmShape) -> GemmRoute = { _ in .clblast }) -> Result<[Double], Error> {
        Result {
            if !timer.hasReferences {
                try backend.applyGemmParameters(.library)
                try timer.computeReferences()
            }
            try backend.applyGemmParameters(parameters)
            for index in shapes.indices { try timer.check(index, route: route(shapes[index])) }
            return try shapes.map { try timer.time($0, route: route($0), samples: settings.samples) }
        }
    }

    /// The routes ``run(_:progress:)`` tries for `shape`: CLBlast first, then every candidate
    /// configuration the device can build, unsplit and split.
    public func routes(for shape: GemmShape) -> [GemmRoute] { timer.routes(for: shape) }
}

/// The configurations ``GemmTuner`` tries, in order: the seeds, then random valid draws, each once.
struct CandidateStream {
    enum Candidate: CustomStringConvertible {
        case direct(XgemmDirectConfiguration)
        case indirect(XgemmConfiguration)

        /// The configuration, with every GEMM sent to its kernel.
        var parameters: CLBlastParameters {
            switch self {
            case .direct(let d): return CLBlastParameters(xgemmDirect: d.parameters, minIndirectSize: CLBlastParameters.alwaysDirect)
            case .indirect(let x): return CLBlastParameters(xgemm: x.parameters, minIndirectSize: CLBlastParameters.alwaysIndirect)
            }
        }

        var description: String {
            let (kernel, values): (String, [String: Int])
            switch self {
            case .direct(let d): (kernel, values) = ("direct  ", d.parameters)
            case .indirect(let x): (kernel, values) = ("indirect", x.parameters)
            }
            return kernel + " " + values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }

    let device: Device
    let key: NoiseKey
    private var draws = 0
    private var directSeeds = XgemmDirectConfiguration.seeds[...]
    private var indirectSeeds = XgemmConfiguration.seeds[...]
    private var seenDirect: Set<XgemmDirectConfiguration> = []
    private var seenIndirect: Set<XgemmConfiguration> = []

    init(device: Device, seed: UInt64) {
        self.device = device
        key = NoiseKey(seed: seed, step: 0, stream: 0x7E11)
    }

    /// The next untried valid configuration of the direct kernel (`directTurn`) or the indirect one.
    mutating func next(directTurn: Bool) -> Candidate? {
        // Valid points are a few percent of the ranges: bound the draws per call.
        for _ in 0..<100_000 {
            if directTurn {
                let d = directSeeds.popFirst() ?? XgemmDirectConfiguration.random { draw($0) }
                if d.isValid(maxWorkGroupSize: device.maxWorkGroupSize, localMemory: device.localMemory),
                   seenDirect.insert(d).inserted { return .direct(d) }
            } else {
                let x = indirectSeeds.popFirst() ?? XgemmConfiguration.random { draw($0) }
                if x.isValid(maxWorkGroupSize: device.maxWorkGroupSize, localMemory: device.localMemory),
                   seenIndirect.insert(x).inserted { return .indirect(x) }
            }
        }
        return nil
    }

    private mutating func draw(_ count: Int) -> Int {
        defer { draws += 1 }
        return Int(key.word(draws) % UInt32(count))
    }
}

public enum GemmTuningError: Error, CustomStringConvertible {
    case nothingToTune
    case wrongProduct(shape: GemmShape, error: Float, scale: Float)
    case noRoute(shape: GemmShape)

    public var description: String {
        switch self {
        case .nothingToTune:
            return "These models issue no GEMM to tune (lenet300's dense layers are vdrop's own fused kernels); tune lenet5 or vgglike."
        case .wrongProduct(let shape, let error, let scale):
            return "wrong product on \(shape): error \(error) against values up to \(scale)"
        case .noRoute(let shape):
            return "no engine computed \(shape) correctly, not even CLBlast; see the rejected routes"
        }
    }
}
