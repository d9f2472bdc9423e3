import ArgumentParser
import Foundation
import VDrop
import VDropMPI

/// `mpirun -np K vdrop train --seeds N …` and `mpirun -np K vdrop sweep …`: the runs split over
/// the ranks (run i on rank i mod K), each rank on its host's device, and rank 0 gathers every
/// run's outcome and prints the table. The run folders are those of a single process, and a
/// run's results are the same bit for bit on the same backend.
extension QueuedRuns {
    /// What a rank tells rank 0 about one of its runs.
    struct RankOutcome: Codable {
        var index: Int
        var rank: Int
        var result: TrainingResult?
        var interrupted: TrainingInterrupted?
        var failure: String?
    }

    /// A run that failed on another rank, in that rank's words.
    struct RankFailure: Error, CustomStringConvertible {
        var rank: Int
        var reason: String
        var description: String { "on rank \(rank): \(reason)" }
    }

    /// Trains this rank's share of `runs`; on rank 0 returns every run's outcome in order, on
    /// the others nil. Every rank reaches the gather, whatever its runs did, so none waits forever.
    static func splitOverRanks(_ runs: [PlannedRun], world: MPIWorld, options: TrainingOptions, stop: StopRequest,
                               train: (PlannedRun, any Backend) throws -> TrainingResult) throws -> [Result<TrainingResult, Error>]? {
        let mine = Array(stride(from: world.rank, to: runs.count, by: world.size))
        var local: [RankOutcome] = []
        if mine.isEmpty {
            print("rank \(world.rank) of \(world.size): no run to take (\(runs.count) run(s) over \(world.size) ranks).")
        } else {
            do {
                let backend = try options.device.makeBackend(try rankDevice(options: options, world: world),
                                                             tuningFor: mine.map { runs[$0] }.gemmWorkloads(),
                                                             label: "rank \(world.rank) of \(world.size): ") { backend in
                    print("rank \(world.rank) of \(world.size): runs \(mine.map { runs[$0].label }.joined(separator: "; ")) on \(backend.name)")
                }.backend
                for index in mine {
                    var outcome = RankOutcome(index: index, rank: world.rank)
                    if stop.isRequested {
                        outcome.failure = NotStarted().description
                    } else {
                        do { outcome.result = try train(runs[index], backend) }
                        catch let interrupted as TrainingInterrupted { outcome.interrupted = interrupted }
                        catch { outcome.failure = "\(error)" }
                    }
                    local.append(outcome)
                }
            } catch {
                print("rank \(world.rank) of \(world.size) cannot start: \(error)")
                local = mine.map { RankOutcome(index: $0, rank: world.rank, failure: "\(error)") }
            }
        }
        guard let gathered = try world.gather(Array(try JSONEncoder().encode(local))) else { return nil }
        var outcomes = [Result<TrainingResult, Error>?](repeating: nil, count: runs.count)
        for (rank, bytes) in gathered.enumerated() {
            guard let list = try? JSONDecoder().decode([RankOutcome].self, from: Data(bytes)) else {
                throw RankFailure(rank: rank, reason: "its outcomes could not be read")
            }
            for outcome in list where outcome.index >= 0 && outcome.index < runs.count {
                if let result = outcome.result { outcomes[outcome.index] = .success(result) }
                else if let interrupted = outcome.interrupted { outcomes[outcome.index] = .failure(interrupted) }
                else { outcomes[outcome.index] = .failure(RankFailure(rank: outcome.rank, reason: outcome.failure ?? "no outcome")) }
            }
        }
        return outcomes.enumerated().map { index, outcome in
            outcome ?? .failure(RankFailure(rank: index % world.size, reason: "the rank sent no outcome for this run"))
        }
    }

    /// This rank's device: its local rank's entry of `--devices`, else with `--device auto` or
    /// `gpu` the host's GPU numbered by local rank (the CPU backend on a host with none), else
    /// the `--device` given.
    static func rankDevice(options: TrainingOptions, world: MPIWorld) throws -> DeviceChoice {
        if let devices = options.devices {
            let list = try DeviceChoice.list(parsing: devices)
            return list[world.localRank % list.count]
        }
        let choice = options.device.choice
        guard choice == .automatic || choice == .gpu else { return choice }
        let gpus = ((try? DeviceInventory())?.allDevices ?? []).filter { $0.kind == .gpu }
        guard !gpus.isEmpty else { return choice == .gpu ? .gpu : .cpu }
        let gpu = gpus[world.localRank % gpus.count]
        return .indexed(platform: gpu.platformIndex, device: gpu.index)
    }
}

/// `mpirun -np K vdrop train …` with one run (or `--data-parallel`): every run trained by all
/// ranks together, each rank on its device with its share of every global batch (``Trainer``'s
/// `dataParallel`), the gradients summed in rank order by ``MPIStepReduction``; rank 0 alone
/// prints, writes metrics and checkpoints.
extension QueuedRuns {
    static func trainDataParallel(_ runs: [PlannedRun], world: MPIWorld, options: TrainingOptions, logging: LoggingOptions,
                                  data: DataSplit, resume: Bool, force: Bool, stop: StopRequest) throws -> [TrainingResult?]? {
        let reduction = MPIStepReduction(world: world)
        let root = world.rank == 0
        /// Every rank reaches each agreement, so a rank that failed to set up stops all of them
        /// cleanly (a sentence from the rank that failed, exit 1 everywhere) instead of a hang.
        func agreeOrStop(_ body: () throws -> Void) throws {
            var failure: Error?
            do { try body() } catch { failure = error }
            let everyoneReady = try reduction.agree(failure == nil)
            if let failure { throw failure }
            if !everyoneReady { throw ExitCode.failure }
        }
        var backend: (any Backend)?
        try agreeOrStop {
            backend = try options.device.makeBackend(try rankDevice(options: options, world: world),
                                                     tuningFor: runs.gemmWorkloads(ranks: world.size), label: "rank \(world.rank) of \(world.size): ").backend
        }
        guard let backend else { throw ExitCode.failure }
        print("rank \(world.rank) of \(world.size): \(options.batch / world.size) of each batch of \(options.batch), on \(backend.name)")
        var results: [TrainingResult?] = []
        for run in runs {
            var prepared: TrainCommand.PreparedRun?
            try agreeOrStop {
                prepared = try TrainCommand.prepare(configuration: run.configuration, data: data, backend: backend, folder: run.folder,
                                                    resume: resume, force: force, stop: stop, prefix: run.label.isEmpty ? "" : "[\(run.label)] ",
                                                    logging: logging, tensorboardSub: run.tensorboardSub, redraw: true, dataParallel: reduction)
            }
            guard let prepared else { throw ExitCode.failure }
            do {
                let sumsBefore = (reduction.seconds, reduction.calls)
                let result = try TrainCommand.finish(prepared)
                results.append(result)
                let sums = reduction.calls - sumsBefore.1, seconds = reduction.seconds - sumsBefore.0
                if root, sums > 0 {
                    print(String(format: "%@gradient sums over %d ranks: %d of %.1f MB, %.2f ms each, %.1f%% of the training time",
                                 run.label.isEmpty ? "" : "[\(run.label)] ", world.size, sums, Double(reduction.largestCount * 4) / 1e6,
                                 1000 * seconds / Double(sums), 100 * seconds / max(result.trainingSeconds, 1e-9)))
                }
            } catch let interrupted as TrainingInterrupted {
                // The ranks agreed to stop after the same step; rank 0 saved and says how to go on.
                if root { throw Interruption.exit(after: interrupted) }
                throw ExitCode(130)
            } catch {
                print("\(run.label.isEmpty ? "" : "[\(run.label)] ")failed on rank \(world.rank) of \(world.size): \(error)")
                fflush(stdout)
                reduction.abort(code: 1)
            }
        }
        return root ? results : nil
    }
}
