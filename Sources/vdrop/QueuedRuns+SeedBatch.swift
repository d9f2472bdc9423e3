import Foundation
import VDrop

extension QueuedRuns {
    /// The seeds of `train --seeds N` on the one device, `size` at a time as one batched network
    /// (``SeedBatchTrainer``); each seed prepared (resumed, logged) as a run of its own, and its
    /// outcome in run order. After a Ctrl-C every seed of the batch under way has saved its
    /// checkpoint, and the batches after it are not started.
    static func trainInSeedBatches(_ runs: [PlannedRun], size: Int, options: TrainingOptions, logging: LoggingOptions,
                                   data: DataSplit, resume: Bool, force: Bool, stop: StopRequest) throws -> [Result<TrainingResult, Error>] {
        let backend = try options.device.makeBackend()
        print("on \(backend.name), \(min(size, runs.count)) seeds at a time as one batched network")
        if let hint = options.device.tuningHint(for: backend) { print(hint) }
        var outcomes: [Result<TrainingResult, Error>] = []
        for start in stride(from: 0, to: runs.count, by: size) {
            let group = Array(runs[start..<min(start + size, runs.count)])
            if stop.isRequested {
                outcomes += group.map { _ in .failure(NotStarted()) }
                continue
            }
            outcomes += trainBatch(group, backend: backend, logging: logging, data: data, resume: resume, force: force, stop: stop)
        }
        return outcomes
    }

    /// One batch of seeds: allocated together, each seed's trainer prepared in its own folder
    /// (a seed whose folder refuses ends alone, with that error), trained, and summarized.
    private static func trainBatch(_ group: [PlannedRun], backend: any Backend, logging: LoggingOptions, data: DataSplit,
                                   resume: Bool, force: Bool, stop: StopRequest) -> [Result<TrainingResult, Error>] {
        let batch: SeedBatchTrainer
        do {
            batch = try SeedBatchTrainer(configurations: group.map(\.configuration), data: data, backend: backend)
        } catch {
            return group.map { _ in .failure(error) }
        }
        batch.stopRequest = stop
        var prepared: [TrainCommand.PreparedRun?] = []
        batch.trainers = zip(group, batch.members).map { run, member in
            let made = Result {
                try TrainCommand.prepare(configuration: run.configuration, data: data, backend: backend, folder: run.folder,
                                         resume: resume, force: force, stop: stop, prefix: run.label.isEmpty ? "" : "[\(run.label)] ",
                                         logging: logging, tensorboardSub: run.tensorboardSub, redraw: false, member: member)
            }
            prepared.append(try? made.get())
            return made.map(\.trainer)
        }
        let outcomes = withExtendedLifetime(prepared) { batch.run() }
        for (run, outcome) in zip(prepared, outcomes) {
            if let run, case .success(let result) = outcome { TrainCommand.report(result, of: run) }
        }
        return outcomes
    }
}
