import Foundation

/// What a trainer tells whoever runs it (the CLI prints it; tests ignore it).
public protocol TrainingObserver: AnyObject {
    /// After a step whose loss was read back: steps done in this epoch of `stepsPerEpoch`.
    func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double)
    func epochFinished(_ record: EpochRecord)
    func note(_ message: String)
}

/// The training run ended because the loss stopped being a number.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public let epoch: Int
    public let step: Int
    public let checkpoint: String?
    public var description: String {
        "The loss became NaN or infinite at epoch \(epoch), step \(step); training stopped. "
            + (checkpoint.map { "The last good checkpoint is \($0) (written at the end of the previous epoch). " } ?? "")
            + "Try a lower --lr, a longer --anneal-epochs, or --log-sigma2-max."
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
    let dataSource: String
    public private(set) var completedEpochs = 0
    public private(set) var completedSteps = 0

    public var checkpointPath: String? { outputDirectory.map { ($0 as NSString).appendingPathComponent("checkpoint.safetensors") } }

    public init(configuration: TrainingConfiguration, data: DataSplit, backend: any Backend, outputDirectory: String?) throws {
        try configuration.validate(trainingSetSize: data.train.count)
        self.configuration = configuration
        objective = try configuration.resolvedObjective()
        trim = try TrimRule(parsing: configuration.trim)
        network = try Network(model: configuration.modelKind, batch: configuration.batch, backend: backend)
        train = try DeviceDataset(data.train, backend: backend)
        test = try DeviceDataset(data.test, backend: backend)
        schedule = TrainingSchedule(configuration: configuration, stepsPerEpoch: data.train.count / configuration.batch)
        self.outputDirectory = outputDirectory
        dataSource = data.source
        if let outputDirectory {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        }
        try network.initializeParameters(seed: configuration.seed)
    }

    /// Continues from a checkpoint written by a run with the same configuration.
    public func resume(from checkpoint: Checkpoint, file: String) throws {
        var saved = checkpoint.configuration
        var current = configuration
        // The schedule may be extended on resume; everything else must match.
        saved.epochs = 0; current.epochs = 0
        saved.logEvery = 0; current.logEvery = 0
        guard saved == current else {
            throw ConfigurationError("The checkpoint \(file) was written by a run with other settings; resume with the same flags (its configuration: \(String(decoding: try JSONEncoder().encode(checkpoint.configuration), as: UTF8.self))).")
        }
        try checkpoint.restore(into: network, file: file)
        completedEpochs = checkpoint.epoch
        completedSteps = checkpoint.step
    }

    private var metrics: JSONLinesWriter?
    private var trainingSeconds = 0.0
    private var evaluation: EvaluationResult?

    /// Trains the remaining epochs; returns the final evaluation and writes results.json.
    public func run() throws -> TrainingResult {
        try runEpochs(upTo: configuration.epochs)
        let final = try evaluation ?? Evaluator.evaluate(network: network, data: test, rule: trim)
        let outcome = TrainingResult(configuration: configuration, backend: network.backend.name, dataSource: dataSource,
                                     evaluation: final, epochs: completedEpochs, steps: completedSteps, trainingSeconds: trainingSeconds)
        if let outputDirectory {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(try encoder.encode(outcome), to: (outputDirectory as NSString).appendingPathComponent("results.json"))
        }
        return outcome
    }

    /// Trains until `last` epochs are complete (each ending with evaluation, metrics and checkpoint).
    public func runEpochs(upTo last: Int) throws {
        if metrics == nil, let outputDirectory {
            metrics = try JSONLinesWriter(path: (outputDirectory as NSString).appendingPathComponent("metrics.jsonl"),
                                          truncate: completedEpochs == 0)
        }
        let stepsPerEpoch = schedule.stepsPerEpoch
        let batch = configuration.batch
        while completedEpochs < min(last, configuration.epochs) {
            let epoch = completedEpochs
            try train.setOrder(DeviceDataset.shuffledOrder(count: train.count, seed: configuration.seed, epoch: epoch))
            let started = Date()
            var recorded = 0, dataSum = 0.0, regularizerSum = 0.0, errorSum = 0, lastSettings: StepSettings?
            for s in 0..<stepsPerEpoch {
                let step = epoch * stepsPerEpoch + s
                try train.gatherBatch(start: s * batch, into: network)
                let settings = StepSettings(objective: objective, seed: configuration.seed, step: step,
                                            datasetSize: train.count, learningRate: schedule.learningRate(atStep: step),
                                            regularizerWeight: schedule.regularizerWeight(atStep: step),
                                            logSigma2Max: configuration.effectiveLogSigma2Max)
                lastSettings = settings
                let record = (s + 1) % configuration.logEvery == 0 || s == stepsPerEpoch - 1
                try network.trainStep(settings, recordLoss: record)
                guard record else { continue }
                let loss = try network.readLoss(settings: settings)
                guard loss.total.isFinite else {
                    throw TrainingDiverged(epoch: epoch + 1, step: s + 1, checkpoint: completedEpochs > 0 ? checkpointPath : nil)
                }
                recorded += 1
                dataSum += loss.dataTerm
                regularizerSum += loss.regularizer
                errorSum += loss.errors
                let elapsed = Date().timeIntervalSince(started)
                observer?.progress(epoch: epoch + 1, step: s + 1, stepsPerEpoch: stepsPerEpoch, loss: loss,
                                   imagesPerSecond: Double((s + 1) * batch) / max(elapsed, 1e-9))
            }
            try network.backend.synchronize()
            let seconds = Date().timeIntervalSince(started)
            trainingSeconds += seconds
            completedEpochs += 1
            completedSteps = completedEpochs * stepsPerEpoch
            let result = try Evaluator.evaluate(network: network, data: test, rule: trim)
            evaluation = result
            let lastStep = completedSteps - 1
            let record = EpochRecord(epoch: completedEpochs, lr: Double(lastSettings?.learningRate ?? 0),
                                     beta: Double(schedule.beta(atStep: lastStep)),
                                     dataTerm: dataSum / Double(max(recorded, 1)), regularizer: regularizerSum / Double(max(recorded, 1)),
                                     trainError: 100 * Double(errorSum) / Double(max(recorded * batch, 1)),
                                     testError: result.errorPercent, compression: result.compression,
                                     seconds: seconds, imagesPerSecond: Double(stepsPerEpoch * batch) / max(seconds, 1e-9))
            try metrics?.append(record)
            if let path = checkpointPath {
                try Checkpoint(network: network, configuration: configuration, epoch: completedEpochs, step: completedSteps).write(to: path)
            }
            observer?.epochFinished(record)
        }
    }
}
