import Foundation

/// A seed's seat in a ``SeedBatchTrainer``: what its ``Trainer`` takes from the batch instead
/// of allocating — its network (whose arena is its slice of the batch's storage), the training
/// set with an order of its own, and the test set, all on the batch's backend.
public struct SeedBatchMember {
    public let network: Network
    public let train: DeviceDataset
    public let test: DeviceDataset
}

/// Trains several seeds of one configuration as one ``SeedBatch`` on one backend: at each step
/// every seed gathers its own shuffled batch and enqueues its gradients (its own noise: Philox
/// of its seed), then one update serves all seeds, and the step is handed to the device once.
///
/// Each seed is an ordinary ``Trainer`` with its own folder, metrics, histograms, checkpoint
/// and results, and it computes exactly what it computes alone on the backend: the layers run
/// on its own buffers in the same order, and the shared update is elementwise. Its metrics'
/// seconds and images/s are the batch's wall time (the seeds' epochs run together).
///
/// Seeds step together while they stand at the same step; seeds resumed from different
/// points step alone (the ones behind first) until they meet. A seed that fails (its loss
/// turned NaN, its folder could not be written) ends alone; a ``StopRequest`` saves every
/// seed's checkpoint at the same step boundary.
public final class SeedBatchTrainer {
    public let batch: SeedBatch
    /// Seed s's seat; build its trainer with `member: members[s]` and put it in ``trainers``.
    public let members: [SeedBatchMember]
    public let configurations: [TrainingConfiguration]
    /// Seed s's trainer, or why it could not be made (the seed then ends with that error).
    public var trainers: [Result<Trainer, Error>] = []
    /// Checked between steps; when set, every seed saves and ends with ``TrainingInterrupted``.
    public var stopRequest: StopRequest?

    /// Allocates the batch for `configurations` — one per seed, equal but for the seed — and
    /// uploads the data once.
    public init(configurations: [TrainingConfiguration], data: DataSplit, backend: any Backend) throws {
        guard let first = configurations.first else { throw ConfigurationError("A seed batch needs at least one seed.") }
        try first.validate(trainingSetSize: data.train.count)
        for other in configurations.dropFirst() {
            var same = other
            same.seed = first.seed
            guard same == first else {
                throw ConfigurationError("The runs of a seed batch must differ only in their seed (seed \(other.seed) differs from seed \(first.seed) in more); train them apart with \(.seedBatch) 1.")
            }
        }
        self.configurations = configurations
        let seedBatch = try SeedBatch(model: first.model, batch: first.batch, seeds: configurations.count, backend: backend)
        let train = try DeviceDataset(data.train, backend: backend)
        let test = try DeviceDataset(data.test, backend: backend)
        // Each seed's own order of the one upload of the samples; on OpenCL in one buffer, so that
        // one launch gathers every seed's batch.
        let ordered = { (_: Int) in try DeviceDataset(sharingSamplesOf: train) }
        let orders = try backend.seedBatching?.buildPooled(seeds: configurations.count, ordered)
            ?? (0..<configurations.count).map(ordered)
        let members = zip(seedBatch.networks, orders).map { SeedBatchMember(network: $0, train: $1, test: test) }
        batch = seedBatch
        self.members = members
    }

    /// Makes every seed's trainer with the batch's seats (no observer, nothing resumed): for
    /// callers that need nothing more, such as tests.
    public func makeTrainers(data: DataSplit, outputDirectories: [String?]) {
        precondition(outputDirectories.count == members.count, "one output folder (or nil) per seed")
        trainers = zip(configurations, zip(members, outputDirectories)).map { configuration, seat in
            Result { try Trainer(configuration: configuration, data: data, backend: batch.backend, outputDirectory: seat.1, member: seat.0) }
        }
    }

    /// Trains every seed's remaining epochs; returns each seed's outcome, in seed order: its
    /// result (results.json written), or the error that ended it (``TrainingInterrupted`` when
    /// a stop was requested, with its checkpoint saved).
    public func run() -> [Result<TrainingResult, Error>] {
        precondition(trainers.count == members.count, "every seed needs its trainer (or its error) before the batch runs")
        var outcomes: [Result<TrainingResult, Error>?] = trainers.map { made in
            if case .failure(let error) = made { return .failure(error) }
            return nil
        }
        func running() -> [Int] {
            outcomes.indices.filter { outcomes[$0] == nil && seat($0).hasEpochs(upTo: seat($0).configuration.epochs) }
        }
        for seed in running() {
            do { try seat(seed).prepareToTrain() } catch { outcomes[seed] = .failure(error) }
        }
        while case let seeds = running(), !seeds.isEmpty {
            if stopRequest?.isRequested == true {
                for seed in seeds { outcomes[seed] = .failure(Self.stop(seat(seed))) }
                break
            }
            let position = seeds.map { seat($0).stepPosition }.min()!
            let group = seeds.filter { seat($0).stepPosition == position }
            step(group, outcomes: &outcomes)
        }
        return outcomes.indices.map { seed in
            outcomes[seed] ?? Result { try seat(seed).finishRun() }
        }
    }

    /// One step of the seeds in `group` (all at the same step): their batches, their σ² and
    /// update (batched when the group is the whole batch), their gradients in turn, one submit;
    /// then the epoch's end for the seeds whose epoch that step completed.
    private func step(_ group: [Int], outcomes: inout [Result<TrainingResult, Error>?]) {
        var begun: [(seed: Int, step: Trainer.PendingStep)] = []
        let whole = group.count == batch.seeds
        for seed in group {
            do { begun.append((seed, try seat(seed).beginStep(gather: !whole))) } catch { outcomes[seed] = .failure(error) }
        }
        if whole { begun = gather(begun, outcomes: &outcomes) }
        var pending: [(seed: Int, step: Trainer.PendingStep)] = []
        if begun.count == batch.seeds, let first = begun.first {
            do {
                try batch.computeGradients(begun.map(\.step.settings), recordLoss: first.step.record)
                pending = begun
            } catch {
                for (seed, _) in begun { outcomes[seed] = .failure(error) }
            }
        } else {
            for (seed, step) in begun {
                do {
                    try seat(seed).network.computeGradients(step.settings, recordLoss: step.record)
                    pending.append((seed, step))
                } catch { outcomes[seed] = .failure(error) }
            }
        }
        do {
            if pending.count == batch.seeds {
                try batch.update(pending.map(\.step.settings))
            } else {
                for (seed, step) in pending { try seat(seed).network.update(step.settings) }
            }
            try batch.backend.submit()
        } catch {
            for (seed, _) in pending { outcomes[seed] = .failure(error) }
            return
        }
        for (seed, step) in pending {
            do { try seat(seed).endStep(step) } catch { outcomes[seed] = .failure(error) }
        }
        let ending = pending.map(\.seed).filter { outcomes[$0] == nil && seat($0).epochIsComplete }
        guard !ending.isEmpty else { return }
        // The seeds' epochs ran together: each one's time ends here, before any seed's evaluation.
        do { try batch.backend.synchronize() } catch {
            for seed in ending { outcomes[seed] = .failure(error) }
            return
        }
        let seconds = ending.map { seat($0).epochSeconds }
        for (seed, time) in zip(ending, seconds) {
            do { try seat(seed).finishEpoch(seconds: time) } catch { outcomes[seed] = .failure(error) }
        }
    }

    /// Gathers the batches of steps begun without them: one launch per tensor for all seeds on
    /// OpenCL, else seed by seed. Returns the steps whose batch is in place.
    private func gather(_ begun: [(seed: Int, step: Trainer.PendingStep)],
                        outcomes: inout [Result<TrainingResult, Error>?]) -> [(seed: Int, step: Trainer.PendingStep)] {
        if begun.count == batch.seeds, let device = batch.backend.seedBatching,
           begun.allSatisfy({ $0.step.gatherStart == begun[0].step.gatherStart }) {
            do {
                if try device.gatherBatches(datasets: begun.map { seat($0.seed).train }, start: begun[0].step.gatherStart,
                                            into: batch.networks) { return begun }
            } catch {
                for (seed, _) in begun { outcomes[seed] = .failure(error) }
                return []
            }
        }
        return begun.filter { seed, step in
            do { try seat(seed).gather(step); return true } catch { outcomes[seed] = .failure(error); return false }
        }
    }

    private func seat(_ seed: Int) -> Trainer {
        guard case .success(let trainer) = trainers[seed] else { preconditionFailure("seed \(seed) has no trainer") }
        return trainer
    }

    /// Saves `trainer`'s checkpoint of every step done; the error that ends its run.
    private static func stop(_ trainer: Trainer) -> Error {
        do { try trainer.stop() } catch { return error }
    }
}
