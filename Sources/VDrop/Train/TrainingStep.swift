/// What one training step needs besides the batch.
public struct StepSettings: Equatable, Sendable {
    public var objective: Objective
    /// The run's seed: the key of every ε.
    public var seed: UInt64
    /// 0-based index of this step in the run: the noise counter (Adam's t is step + 1).
    public var step: Int
    /// N, the training-set size: the data term is N·mean(cross-entropy).
    public var datasetSize: Int
    public var learningRate: Float
    /// β_t·s, the weight of the regularizer in this step.
    public var regularizerWeight: Float
    /// The upper clip on log σ² (the Gamma recipe's −8), or nil.
    public var logSigma2Max: Float?
    /// Which variable of the variance Adam trains.
    public var parameterization: Parameterization
    /// This rank's part of the global batch in a data-parallel run; nil: the network's batch is the whole batch.
    public var shard: BatchShard?

    public init(objective: Objective, seed: UInt64, step: Int, datasetSize: Int, learningRate: Float,
                regularizerWeight: Float, logSigma2Max: Float? = nil, parameterization: Parameterization = .logSigma,
                shard: BatchShard? = nil) {
        self.objective = objective
        self.seed = seed
        self.step = step
        self.datasetSize = datasetSize
        self.learningRate = learningRate
        self.regularizerWeight = regularizerWeight
        self.logSigma2Max = logSigma2Max
        self.parameterization = parameterization
        self.shard = shard
    }
}

/// The loss terms of a step, read back from the device.
public struct StepLoss: Equatable, Sendable {
    /// N·mean over the batch of the cross-entropy.
    public var dataTerm: Double
    /// Σ_weights R at the step's parameters (before its update), without the weight β_t·s.
    /// For `gamma` with b > 0 it includes the constant: Σ (R − C), so that −regularizer is the
    /// paper's Σ [½ log(σ²/(σ²+θ²+2b)^(2a−1)) + C] exactly.
    public var regularizer: Double
    /// Wrong predictions in the batch.
    public var errors: Int
    /// The minimized objective: dataTerm + β_t·s·regularizer.
    public var total: Double
}

extension StepSettings {
    /// Adam's settings for this step (t = step + 1).
    public var adamSettings: AdamSettings {
        AdamSettings(learningRate: learningRate, step: step + 1, regularizerWeight: regularizerWeight,
                     logSigma2Max: logSigma2Max, parameterization: parameterization)
    }
}

extension Network {
    /// One training step on the batch already in `input` and `labels`: weight variances,
    /// forward, cross-entropy and its gradient, backward, and the fused regularizer + Adam
    /// update, handed to the device at the end (``BackendCore/submit()``) but not waited for.
    /// With `recordLoss` it also enqueues the reductions that ``readLoss(settings:)`` reads afterwards.
    ///
    /// In a data-parallel run (`reduction` given, `settings.shard` set) the gradients are summed
    /// over the ranks between backward and Adam; it returns whether the ranks agreed to stop
    /// (any rank's `stopRequested`), so all of them stop after the same step. Otherwise false.
    @discardableResult
    public func trainStep(_ settings: StepSettings, recordLoss: Bool, reduction: StepReduction? = nil,
                          stopRequested: Bool = false) throws -> Bool {
        try computeGradients(settings, recordLoss: recordLoss)
        let stop = try reduction.map { try reduceStep(over: $0, recordLoss: recordLoss, stopRequested: stopRequested) } ?? false
        try update(settings)
        try backend.submit()
        return stop
    }

    /// The first part of ``trainStep(_:recordLoss:reduction:stopRequested:)``: weight variances,
    /// forward, cross-entropy and its gradient (and the loss terms when `recordLoss`), backward,
    /// leaving the gradient arena filled for the update. A seed batch runs this for each seed,
    /// then one update over all of them (``SeedBatch``).
    /// `varianceReady`: σ² of this step is already computed (``SeedBatch/computeWeightVariances(noise:)``).
    public func computeGradients(_ settings: StepSettings, recordLoss: Bool, varianceReady: Bool = false) throws {
        let mode = ForwardMode.training(noise: settings.objective.weightNoise,
                                        key: NoiseKey(seed: settings.seed, step: UInt64(settings.step), stream: 0,
                                                      firstSample: settings.shard?.firstSample ?? 0))
        try forward(mode: mode, varianceReady: varianceReady)
        // The data term is N·mean over the global batch: each rank's share of the sum.
        try loss(gradScale: Float(settings.datasetSize) / Float(settings.shard?.globalBatch ?? batch), withGradient: true)
        if recordLoss { try recordLossTerms(objective: settings.objective) }
        try backward(mode: mode)
    }

    /// The fused regularizer + Adam update of this network's arena with the step's settings.
    public func update(_ settings: StepSettings) throws {
        try adam.step(settings.adamSettings, objective: settings.objective, arena: arena)
    }

    /// Enqueues Σ rowLoss, Σ rowCorrect and Σ R into `scalars` (the parameters as they are now).
    func recordLossTerms(objective: Objective) throws {
        try backend.sum(rowLoss, into: scalars.slice(from: 0, shape: [1]))
        try backend.sum(rowCorrect, into: scalars.slice(from: 1, shape: [1]))
        if arena.weightCount > 0 {
            try backend.regularizerValue(objective: objective, theta: arena.thetaSegment(of: arena.parameters),
                                         logSigma2: arena.logSigma2Segment(of: arena.parameters),
                                         into: scalars.slice(from: 2, shape: [1]))
        } else {
            try backend.fill(scalars.slice(from: 2, shape: [1]), with: 0)
        }
    }

    /// Reads the terms recorded by the last step with `recordLoss` (waits for the device).
    public func readLoss(settings: StepSettings) throws -> StepLoss {
        let values = try backend.download(scalars)
        let batch = settings.shard?.globalBatch ?? self.batch
        let dataTerm = Double(values[0]) * Double(settings.datasetSize) / Double(batch)
        var regularizer = Double(values[2])
        if case .gamma(let a, let b) = settings.objective, let c = Regularizer.gammaConstant(a: Double(a), b: Double(b)) {
            regularizer -= Double(arena.weightCount) * c
        }
        return StepLoss(dataTerm: dataTerm, regularizer: regularizer, errors: batch - Int(values[1].rounded()),
                        total: dataTerm + Double(settings.regularizerWeight) * regularizer)
    }
}
