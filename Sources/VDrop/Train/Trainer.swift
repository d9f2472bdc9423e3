import Foundation

/// What a trainer tells whoever runs it (the CLI prints it; tests ignore it).
public protocol TrainingObserver: AnyObject {
    /// After a step whose loss was read back: steps done in this epoch of `stepsPerEpoch`.
    func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double)
    func epochFinished(_ record: EpochRecord)
    func note(_ message: String)
    /// After the weight histograms were taken (at the start, every `histogramEvery` epochs, at the end).
    func histogramsTaken(_ snapshot: HistogramSnapshot)
}

extension TrainingObserver {
    public func histogramsTaken(_ snapshot: HistogramSnapshot) {}
}

/// The training run ended because the loss stopped being a number.
public struct TrainingDiverged: SettingWordedError {
    public let epoch: Int
    public let step: Int
    public let checkpoint: String?
    public var wording: SettingMessage {
        let last = checkpoint.map { "The last good checkpoint is \($0) (written at the end of the previous epoch). " } ?? ""
        return "The loss became NaN or infinite at epoch \(epoch), step \(step); training stopped. \(last)"
            + "Try a lower \(.learningRate), a longer \(.annealEpochs), or \(.logSigma2Max)."
    }
}

/// The outcome of one training run.
public struct TrainingResult: Codable, Equatable, Sendable {
    public var configuration: TrainingConfiguration
    public var backend: String
    public var dataSource: String
    public var evaluation: EvaluationResult
    public var epochs: Int
    public var steps: Int
    public var trainingSeconds: Double
}

/// Runs the paper's training recipe on one backend: shuffled batches gathered on the
/// device, one fused step each, the loss read back every `logEvery` steps, and at each
/// epoch's end an evaluation, a metrics record and an atomically written checkpoint.
/// A ``StopRequest`` ends it at the next step boundary with a checkpoint of every step done.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: Network
    public let train: DeviceDataset
    public let test: DeviceDataset
    public let objective: Objective
    public let trim: TrimRule
    public let schedule: TrainingSchedule
    public let outputDirectory: String?
    public weak var observer: TrainingObserver?
    /// Checked between steps; when set, training saves and throws ``TrainingInterrupted``.
    public var stopRequest: StopRequest?
    /// The data this run trains on, recorded in every checkpoint.
    public let dataIdentity: DataIdentity
    let dataSource: String
    public private(set) var completedEpochs = 0
    public private(set) var completedSteps = 0
    /// The epoch under way when a mid-epoch checkpoint was resumed.
    private var progress = EpochProgress()
    /// Evaluate on the test set after every this many epochs and after the last; the epochs
    /// between record no test error. Not in the configuration: it changes what is logged, not
    /// what is trained, so a resume may change it (as with `logEvery`).
    public var evaluateEvery = 1
    /// Take the weight histograms (histograms.json, ``TrainingObserver/histogramsTaken(_:)``)
    /// every this many epochs, at the start and after the last; not in the configuration either.
    public var histogramEvery = 10
    var histogramLog = HistogramLog()

    var folder: RunFolder? { outputDirectory.map(RunFolder.init) }
    public var checkpointPath: String? { folder?.checkpointPath }

    /// The ranks this run's steps are shared with (data parallel), or nil for a run of its own.
    public let reduction: StepReduction?
    /// A rank other than 0 of a data-parallel run: it trains but measures, logs and saves nothing.
    var isFollower: Bool { (reduction?.rank ?? 0) != 0 }
    /// Set when the ranks agreed, in a step's reduction, to stop before the next step.
    private var stopAgreed = false

    /// `dataParallel`: the ranks to share every step with; this rank's network then holds
    /// `batch / ranks` samples of each global batch, and only rank 0 should be given an output folder.
    /// `member`: a seat in a seed batch, whose network and data on the device this run uses
    /// instead of allocating its own (see ``SeedBatchTrainer``).
    public init(configuration: TrainingConfiguration, data: DataSplit, backend: any Backend, outputDirectory: String?,
                dataParallel: StepReduction? = nil, member: SeedBatchMember? = nil) throws {
        try configuration.validate(trainingSetSize: data.train.count)
        if let ranks = dataParallel?.ranks, configuration.batch % ranks != 0 {
            throw ConfigurationError("\(.batch) \(configuration.batch) does not split evenly over \(ranks) ranks; give a batch that is a multiple of \(ranks).")
        }
        reduction = dataParallel
        guard data.test.count > 0 else {
            throw ConfigurationError("The test set (\(data.test.name)) holds no samples; a run needs test samples to report its error.")
        }
        self.configuration = configuration
        objective = try configuration.resolvedObjective()
        trim = configuration.trim
        if let member {
            precondition(dataParallel == nil && member.network.plan == ModelPlan(model: configuration.model, batch: configuration.batch),
                         "a seed batch member's network is built for its configuration, without data parallelism")
            network = member.network
            train = member.train
            test = member.test
        } else {
            network = try Network(model: configuration.model, batch: configuration.batch / (dataParallel?.ranks ?? 1), backend: backend)
            train = try DeviceDataset(data.train, backend: backend)
            test = try DeviceDataset(data.test, backend: backend)
        }
        schedule = TrainingSchedule(configuration: configuration, stepsPerEpoch: data.train.count / configuration.batch)
        self.outputDirectory = outputDirectory
        dataSource = data.source
        dataIdentity = data.identity
        if let folder {
            try folder.create()
            folder.removeOrphanedTemporaryFiles()
        }
        try network.initializeParameters(seed: configuration.seed)
        if let path = configuration.initFrom {
            try InitialWeights(contentsOf: path, model: configuration.model).load(into: network, file: path)
        }
    }

    /// Continues from a checkpoint written by a run with the same configuration and data.
    public func resume(from checkpoint: Checkpoint, file: String) throws {
        var saved = checkpoint.configuration
        var current = configuration
        // The schedule may be extended on resume; everything else must match.
        saved.epochs = 0; current.epochs = 0
        saved.logEvery = 0; current.logEvery = 0
        guard saved == current else {
            throw ConfigurationError("The checkpoint \(file) was written by a run with other settings (\(try Self.differences(saved, current))); resume with the same flags.")
        }
        if let trained = checkpoint.data, trained != dataIdentity {
            throw ConfigurationError("The checkpoint \(file) was trained on other data (\(trained)) than \(.data) gives now (\(dataIdentity)); resume with the same \(.data).")
        }
        let steps = checkpoint.partialEpoch?.steps ?? 0
        guard checkpoint.epoch >= 0, checkpoint.epoch <= configuration.epochs, steps >= 0, steps < schedule.stepsPerEpoch,
              checkpoint.step == checkpoint.epoch * schedule.stepsPerEpoch + steps else {
            throw ConfigurationError("The checkpoint \(file) says epoch \(checkpoint.epoch) and step \(checkpoint.step), which do not fit \(schedule.stepsPerEpoch) steps per epoch and \(configuration.epochs) epochs; it cannot be resumed.")
        }
        try checkpoint.restore(into: network, file: file)
        completedEpochs = checkpoint.epoch
        completedSteps = checkpoint.step
        progress = checkpoint.partialEpoch ?? EpochProgress()
        try folder?.truncateMetrics(toEpoch: completedEpochs)
        try restoreHistograms()
    }

    /// "flag: checkpoint value, now value" for each setting that differs.
    static func differences(_ saved: TrainingConfiguration, _ current: TrainingConfiguration) throws -> String {
        func fields(_ c: TrainingConfiguration) throws -> [String: String] {
            let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(c)) as? [String: Any] ?? [:]
            return object.mapValues { "\($0)" }
        }
        let before = try fields(saved), now = try fields(current)
        return Set(before.keys).union(now.keys).sorted().compactMap { key in
            before[key] == now[key] ? nil : "\(key): \(before[key] ?? "unset") in the checkpoint, \(now[key] ?? "unset") now"
        }.joined(separator: "; ")
    }

    private var metrics: JSONLinesWriter?
    private var trainingSeconds = 0.0
    /// The latest test evaluation (of the last epoch once the run ends: that one is always evaluated).
    var evaluation: EvaluationResult?

    /// Trains the remaining epochs; returns the final evaluation and writes results.json.
    public func run() throws -> TrainingResult {
        try runEpochs(upTo: configuration.epochs)
        return try finishRun()
    }

    /// The final evaluation of a run whose epochs are done, written to results.json.
    func finishRun() throws -> TrainingResult {
        let final = try evaluation ?? Evaluator.evaluate(network: network, data: test, rule: trim)
        let outcome = TrainingResult(configuration: configuration, backend: network.backend.name, dataSource: dataSource,
                                     evaluation: final, epochs: completedEpochs, steps: completedSteps, trainingSeconds: trainingSeconds)
        if let folder {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(try encoder.encode(outcome), to: folder.resultsPath)
        }
        return outcome
    }

    /// Trains until `last` epochs are complete (each ending with evaluation, metrics and checkpoint).
    public func runEpochs(upTo last: Int) throws {
        try prepareToTrain()
        while hasEpochs(upTo: last) {
            // The ranks of a data-parallel run stop together, at the step after they agreed to.
            if reduction == nil ? stopRequest?.isRequested == true : stopAgreed { try stop() }
            let pending = try beginStep()
            if try network.trainStep(pending.settings, recordLoss: pending.record, reduction: reduction,
                                     stopRequested: stopRequest?.isRequested == true) {
                stopAgreed = true
            }
            try endStep(pending)
            if epochIsComplete { try finishEpoch() }
        }
    }

    /// A step whose gradients are enqueued: what ``endStep(_:)`` needs to account for it.
    struct PendingStep {
        let settings: StepSettings
        /// Whether its loss terms were recorded (to be read back).
        let record: Bool
        /// Where in the epoch's order its batch starts.
        let gatherStart: Int
    }

    /// When the epoch under way started, and its seconds before then (a resumed epoch).
    private struct EpochClock {
        let started: Date
        let secondsBefore: Double
        var seconds: Double { secondsBefore + Date().timeIntervalSince(started) }
    }
    private var epochClock: EpochClock?
    /// Seconds of training in the epoch under way so far (resumed epochs: with the time before).
    var epochSeconds: Double { epochClock?.seconds ?? progress.seconds }

    /// Opens the metrics and takes the first histograms (a run that has not trained yet).
    func prepareToTrain() throws {
        if metrics == nil, let folder {
            metrics = try JSONLinesWriter(path: folder.metricsPath, truncate: completedEpochs == 0 && progress.steps == 0)
        }
        if completedEpochs == 0 && progress.steps == 0 && histogramLog.snapshots.isEmpty && !isFollower {
            try takeHistograms(parameters: try network.backend.download(network.arena.parameters))
        }
    }

    /// Whether epochs are left before `last` (and the configuration's last).
    func hasEpochs(upTo last: Int) -> Bool { completedEpochs < min(last, configuration.epochs) }

    /// Whether every step of the epoch under way is done (``finishEpoch()`` is due).
    var epochIsComplete: Bool { progress.steps == schedule.stepsPerEpoch }

    /// The step done so far in all, epochs included: trainers of a seed batch step together while it is the same.
    var stepPosition: Int { completedEpochs * schedule.stepsPerEpoch + progress.steps }

    /// Starts the epoch when none is under way (its shuffled order) and gathers the next step's
    /// batch (unless `gather` is false: a seed batch gathers every seed's in one launch, ``gather(_:)``
    /// otherwise); the gradients and the update are the caller's.
    func beginStep(gather: Bool = true) throws -> PendingStep {
        let epoch = completedEpochs, stepsPerEpoch = schedule.stepsPerEpoch, batch = configuration.batch
        if epochClock == nil {
            try train.setOrder(DeviceDataset.shuffledOrder(count: train.count, seed: configuration.seed, epoch: epoch))
            epochClock = EpochClock(started: Date(), secondsBefore: progress.seconds)
        }
        let s = progress.steps
        let shard = reduction.map { BatchShard(globalBatch: batch, firstSample: $0.rank * network.batch) }
        let step = epoch * stepsPerEpoch + s
        let start = s * batch + (shard?.firstSample ?? 0)
        if gather { try train.gatherBatch(start: start, into: network) }
        let settings = StepSettings(objective: objective, seed: configuration.seed, step: step,
                                    datasetSize: train.count, learningRate: schedule.learningRate(atStep: step),
                                    regularizerWeight: schedule.regularizerWeight(atStep: step),
                                    logSigma2Max: configuration.effectiveLogSigma2Max,
                                    parameterization: configuration.parameterization, shard: shard)
        let record = (s + 1) % configuration.logEvery == 0 || s == stepsPerEpoch - 1
        return PendingStep(settings: settings, record: record, gatherStart: start)
    }

    /// Gathers the batch of a step begun without it.
    func gather(_ pending: PendingStep) throws { try train.gatherBatch(start: pending.gatherStart, into: network) }

    /// Counts a step whose update is enqueued; reads its loss back when it was recorded
    /// (throws ``TrainingDiverged`` when it is not a number) and tells the observer.
    func endStep(_ pending: PendingStep) throws {
        let stepsPerEpoch = schedule.stepsPerEpoch, batch = configuration.batch
        let s = progress.steps
        progress.steps = s + 1
        progress.learningRate = pending.settings.learningRate
        completedSteps = pending.settings.step + 1
        guard pending.record else { return }
        let loss = try network.readLoss(settings: pending.settings)
        guard loss.total.isFinite else {
            throw TrainingDiverged(epoch: completedEpochs + 1, step: s + 1, checkpoint: completedEpochs > 0 ? checkpointPath : nil)
        }
        progress.record(loss)
        observer?.progress(epoch: completedEpochs + 1, step: s + 1, stepsPerEpoch: stepsPerEpoch, loss: loss,
                           imagesPerSecond: Double((s + 1) * batch) / max(epochClock?.seconds ?? 0, 1e-9))
    }

    /// Ends the epoch whose steps are all done: waits for the device, then the evaluation, the
    /// metrics line, histograms when due and the checkpoint. `seconds`: the epoch's training
    /// time when the caller measured it (a seed batch, whose seeds' epochs end together).
    func finishEpoch(seconds measured: Double? = nil) throws {
        try network.backend.synchronize()
        let stepsPerEpoch = schedule.stepsPerEpoch, batch = configuration.batch
        let seconds = measured ?? epochSeconds
        epochClock = nil
        trainingSeconds += seconds
        completedEpochs += 1
        completedSteps = completedEpochs * stepsPerEpoch
        if isFollower {
            progress = EpochProgress()
            return
        }
        let summary = try summarizeEpoch()
        let lastStep = completedSteps - 1
        let recorded = Double(max(progress.recorded, 1))
        let record = EpochRecord(epoch: completedEpochs, lr: Double(progress.learningRate),
                                 beta: Double(schedule.beta(atStep: lastStep)),
                                 dataTerm: progress.dataSum / recorded, regularizer: progress.regularizerSum / recorded,
                                 trainError: 100 * Double(progress.errorSum) / Double(max(progress.recorded * batch, 1)),
                                 testError: summary.testError, compression: summary.compression,
                                 seconds: seconds, imagesPerSecond: Double(stepsPerEpoch * batch) / max(seconds, 1e-9),
                                 layers: summary.layers)
        progress = EpochProgress()
        try metrics?.append(record)
        if let parameters = summary.histogramParameters { try takeHistograms(parameters: parameters) }
        try saveCheckpoint()
        observer?.epochFinished(record)
    }

    /// Writes the checkpoint of every step done so far (mid-epoch: with the epoch's progress).
    private func saveCheckpoint() throws {
        guard let path = checkpointPath else { return }
        try Checkpoint(network: network, configuration: configuration, epoch: completedEpochs, step: completedSteps,
                       data: dataIdentity, partialEpoch: progress.steps > 0 ? progress : nil).write(to: path)
    }

    /// Ends training at a step boundary: waits for the device, saves, and throws.
    func stop() throws -> Never {
        try network.backend.synchronize()
        if let epochClock { progress.seconds = epochClock.seconds }
        try saveCheckpoint()
        throw TrainingInterrupted(epoch: completedEpochs, step: completedSteps, stepsPerEpoch: schedule.stepsPerEpoch,
                                 checkpoint: checkpointPath)
    }
}
