import ArgumentParser
import Foundation
import VDrop
import VDropMPI

/// One run of `train` (a seed) or `sweep` (a value of a and a seed): what it trains, where it
/// writes, and the label its lines carry.
struct PlannedRun {
    var configuration: TrainingConfiguration
    var folder: String
    /// "seed 2", "a 0.505, seed 1"; empty for a lone run (its lines carry no label).
    var label: String
    var tensorboardSub: String?
}

/// Trains the runs of a command on its devices: the one `--device`, or each of `--devices`
/// taking the next run when it is free (``RunQueue``).
///
/// A run that fails says which and why as it ends; the others go on, and the caller's table
/// marks it missing. Ctrl-C stops every run under way at its next step (each saves a
/// checkpoint), starts no new one, prints the command that resumes them all, and exits 130.
enum QueuedRuns {
    /// A run the queue never started because a stop was requested first.
    struct NotStarted: Error, CustomStringConvertible {
        var description: String { "not started: training was interrupted first" }
    }

    /// Each run's result in order, nil where it failed; throws only for Ctrl-C (exit 130) and
    /// when a lone run fails (its error, as before there were queues). Under `mpirun` the runs
    /// are split over the ranks, and only rank 0 gets the results: the others get nil.
    static func train(_ runs: [PlannedRun], options: TrainingOptions, logging: LoggingOptions, data: DataSplit,
                      resume: Bool, force: Bool, seedBatch: Int = 1) throws -> [TrainingResult?]? {
        let stop = Interruption.install()
        let outcomes: [Result<TrainingResult, Error>]
        if let world = try MPIWorld.joinIfLaunched(), world.size > 1 {
            defer { world.finalize() }
            if runs.count == 1 || options.dataParallel {
                return try trainDataParallel(runs, world: world, options: options, logging: logging, data: data,
                                             resume: resume, force: force, stop: stop)
            }
            guard let gathered = try splitOverRanks(runs, world: world, options: options, stop: stop, train: { run, backend in
                try trainOne(run, backend: backend, workers: 1, ranks: world.size, data: data, options: options, logging: logging,
                             resume: resume, force: force, stop: stop)
            }) else { return nil }
            outcomes = gathered
        } else if seedBatch > 1 {
            outcomes = try trainInSeedBatches(runs, size: seedBatch, options: options, logging: logging, data: data,
                                              resume: resume, force: force, stop: stop)
        } else {
            outcomes = try queueOnDevices(runs, options: options, stop: stop) { run, backend, workers in
                try trainOne(run, backend: backend, workers: workers, ranks: 1, data: data, options: options, logging: logging,
                             resume: resume, force: force, stop: stop)
            }
        }
        let interrupted = outcomes.compactMap { outcome -> TrainingInterrupted? in
            if case .failure(let error as TrainingInterrupted) = outcome { return error }
            return nil
        }
        if !interrupted.isEmpty {
            if interrupted.count == 1 { throw Interruption.exit(after: interrupted[0]) }
            print("")
            for (run, outcome) in zip(runs, outcomes) {
                if case .failure(let error as TrainingInterrupted) = outcome { print("[\(run.label)] \(error.description)") }
            }
            throw Interruption.exit(after: interrupted[0], quiet: true)
        }
        if runs.count == 1, case .failure(let error) = outcomes[0] { throw error }
        var results: [TrainingResult?] = []
        for (run, outcome) in zip(runs, outcomes) {
            switch outcome {
            case .success(let result): results.append(result)
            case .failure(let error):
                print("[\(run.label)] failed: \(error)")
                results.append(nil)
            }
        }
        return results
    }

    /// The runs on this process's devices: `--devices` each taking the next run, else `--device`.
    private static func queueOnDevices(_ runs: [PlannedRun], options: TrainingOptions, stop: StopRequest,
                                       train: @escaping (PlannedRun, any Backend, Int) throws -> TrainingResult) throws -> [Result<TrainingResult, Error>] {
        let choices = try options.devices.map { text in
            do { return try DeviceChoice.list(parsing: text) } catch let error as DeviceSelectionError { throw FlagNames.validationError(error) }
        }
        let workers = choices?.count ?? 1
        let workloads = runs.gemmWorkloads()
        return RunQueue.run(runs: runs.count, workers: workers, prepare: { worker -> any Backend in
            let backend: any Backend
            do {
                backend = try options.device.makeBackend(choices?[worker], tuningFor: workloads,
                                                         label: workers > 1 ? "device \(worker + 1) of \(workers): " : "") { backend in
                    print(workers > 1 ? "device \(worker + 1) of \(workers): \(backend.name)" : "on \(backend.name)")
                }.backend
            } catch {
                // The other devices take its runs; say why this one took none.
                if let choices, workers > 1 { print("device \(worker + 1) of \(workers) (\(choices[worker])) cannot be used: \(error)") }
                throw error
            }
            if let hint = options.device.tuningHint(for: backend) { print(hint) }
            return backend
        }, job: { index, backend in
            if stop.isRequested { throw NotStarted() }
            return try train(runs[index], backend, workers)
        })
    }

    /// One run with its progress lines labelled (by device too when several share the output).
    private static func trainOne(_ run: PlannedRun, backend: any Backend, workers: Int, ranks: Int, data: DataSplit,
                                 options: TrainingOptions, logging: LoggingOptions, resume: Bool, force: Bool,
                                 stop: StopRequest) throws -> TrainingResult {
        let shared = workers > 1 || ranks > 1
        let label = run.label.isEmpty ? "" : "[\(run.label)\(shared ? " on \(backend.name)" : "")] "
        return try TrainCommand.trainOne(configuration: run.configuration, data: data, backend: backend, folder: run.folder,
                                         resume: resume, force: force, stop: stop, prefix: label, logging: logging,
                                         tensorboardSub: run.tensorboardSub, redraw: !shared)
    }

    /// The summary of `results` with the runs that failed named, e.g. "(2 of 3 seeds; seed 3 failed)".
    static func missingNote(_ runs: [PlannedRun], _ results: [TrainingResult?]) -> String? {
        let missing = zip(runs, results).filter { $0.1 == nil }.map(\.0.label)
        guard !missing.isEmpty else { return nil }
        return "missing: \(missing.joined(separator: "; ")) (failed, see above)"
    }
}
