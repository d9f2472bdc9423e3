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
                               train: (PlannedRun, any Backend, Bool) throws -> TrainingResult) throws -> [Result<TrainingResult, Error>]? {
        let mine = Array(stride(from: world.rank, to: runs.count, by: world.size))
        var local: [RankOutcome] = []
        if mine.isEmpty {
            print("rank \(world.rank) of \(world.size): no run to take (\(runs.count) run(s) over \(world.size) ranks).")
        } else {
            do {
                let backend = try options.device.makeBackend(try rankDevice(options: options, world: world))
                print("rank \(world.rank) of \(world.size): runs \(mine.map { runs[$0].label }.joined(separator: "; ")) on \(backend.name)")
                for index in mine {
                    var outcome = RankOutcome(index: index, rank: world.rank)
                    if stop.isRequested {
                        outcome.failure = NotStarted().description
                    } else {
                        do { outcome.result = try train(runs[index], backend, false) }
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
