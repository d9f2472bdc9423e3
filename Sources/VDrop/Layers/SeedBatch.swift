/// Several seeds of one model trained together on one backend: one ``Network`` per seed, each
/// with its own activations, BatchNorm statistics and noise, whose parameter arenas lie back to
/// back (seed-major) in one storage per kind — parameters, gradients, Adam's two moments — so
/// the regularizer + Adam update of every seed is one launch.
///
/// The update is elementwise, so each value gets exactly the bits it gets when its seed trains
/// alone; the forward and backward passes are the single network's own, run for each seed in
/// turn with no wait between them. A step hands the work to the device once, after the update.
public final class SeedBatch {
    /// Seed s's network; its arena is the s-th slice of the shared storage.
    public let networks: [Network]
    public let backend: any Backend
    /// All seeds' arenas, each of count ``arenaCount``, back to back.
    public let parameters: Tensor
    public let gradients: Tensor
    public let firstMoment: Tensor
    public let secondMoment: Tensor

    /// Values in one seed's arena: 2W + P.
    public var arenaCount: Int { 2 * plan.weightCount + plan.plainCount }
    public var plan: ModelPlan { networks[0].plan }
    public var seeds: Int { networks.count }

    public init(plan: ModelPlan, seeds: Int, backend: any Backend) throws {
        precondition(seeds >= 1, "a seed batch holds at least one seed")
        let count = 2 * plan.weightCount + plan.plainCount
        parameters = try backend.allocate([seeds * count])
        gradients = try backend.allocate([seeds * count])
        firstMoment = try backend.allocate([seeds * count])
        secondMoment = try backend.allocate([seeds * count])
        let variances = try backend.allocate([seeds * max(plan.weightCount, 1)])
        let (parameters, gradients, firstMoment, secondMoment) = (parameters, gradients, firstMoment, secondMoment)
        func build(_ seed: Int) throws -> Network {
            func slice(_ tensor: Tensor) -> Tensor { tensor.slice(from: seed * count, shape: [count]) }
            let arena = ParameterArena(weightCount: plan.weightCount, plainCount: plan.plainCount,
                                       parameters: slice(parameters), gradients: slice(gradients),
                                       variance: variances.slice(from: seed * max(plan.weightCount, 1), shape: [max(plan.weightCount, 1)]))
            let adam = Adam(backend: backend, firstMoment: slice(firstMoment), secondMoment: slice(secondMoment))
            return try Network(plan: plan, backend: backend, arena: arena, adam: adam)
        }
        // On OpenCL each activation and workspace of the seeds lies in one buffer, so that one
        // launch reaches every seed's (SeedBatch+Layers).
        networks = try backend.seedBatching?.buildPooled(seeds: seeds, build) ?? (0..<seeds).map(build)
        self.backend = backend
    }

    public convenience init(model: ModelKind, batch: Int, seeds: Int, backend: any Backend) throws {
        try self.init(plan: ModelPlan(model: model, batch: batch), seeds: seeds, backend: backend)
    }

    /// One step of every seed, each on the batch already in its network's input: every seed's
    /// σ² in one launch, the gradients layer by layer (on OpenCL each kernel of a dense or conv
    /// layer's pass is one launch for all seeds), then one update over all arenas, then one
    /// submit. `settings[s]` is seed s's; they may differ only in the seed (one update serves all).
    public func trainStep(_ settings: [StepSettings], recordLoss: Bool) throws {
        precondition(settings.count == seeds, "a seed batch step takes one setting per seed")
        try computeGradients(settings, recordLoss: recordLoss)
        try update(settings)
        try backend.submit()
    }

    /// σ² of every seed's weights for this step's noise, in one call (the networks' forward
    /// passes then skip their own, ``Network/forward(mode:varianceReady:)``).
    public func computeWeightVariances(noise: WeightNoise) throws {
        if noise == .deterministic || plan.weightCount == 0 { return }
        let first = networks[0].arena
        try backend.weightVariance(theta: first.thetaSegment(of: first.parameters), logSigma2: first.logSigma2Segment(of: first.parameters),
                                   noise: noise, into: first.varianceSegment, seeds: seeds, arenaStride: arenaCount,
                                   varianceStride: networks.count > 1 ? networks[1].arena.variance.offset - first.variance.offset : 0)
    }

    /// The regularizer + Adam update of every seed's arena in one call.
    public func update(_ settings: [StepSettings]) throws {
        precondition(settings.count == seeds, "a seed batch update takes one setting per seed")
        var shared = settings[0]
        for setting in settings.dropFirst() {
            shared.seed = setting.seed
            precondition(setting == shared, "the seeds of a batch step with the same settings but for the seed")
        }
        try Adam.step(settings[0].adamSettings, objective: settings[0].objective, parameters: parameters, gradients: gradients,
                      firstMoment: firstMoment, secondMoment: secondMoment, weightCount: plan.weightCount, seeds: seeds, backend: backend)
    }
}
