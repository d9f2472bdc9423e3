import Foundation

/// Many runs over several devices: the runs wait in a queue, and each device (a worker with
/// a thread and a backend of its own) takes the next one as soon as it is free, one run at a
/// time. A run's result depends only on its configuration and the backend that took it, never
/// on which worker or when, because every random number is Philox of (seed, step) and each
/// worker's backend is its own.
///
/// One run failing does not stop the others: each run's outcome is kept, in the runs' order.
public enum RunQueue {
    /// Runs `job(run, worker)` for every run in `0..<runs` on `workers` threads (worker
    /// `w` in `0..<workers`); returns each run's outcome in run order, after all have ended.
    /// `prepare(worker)` runs once on each worker's thread before its first job (making its
    /// backend); a worker whose preparation fails leaves its runs to the others, and when no
    /// worker could be prepared, every run carries the first worker's error.
    public static func run<Worker, Output>(runs: Int, workers: Int,
                                           prepare: @escaping (Int) throws -> Worker,
                                           job: @escaping (_ run: Int, _ worker: Worker) throws -> Output) -> [Result<Output, Error>] {
        precondition(runs >= 0 && workers >= 1, "a queue needs runs ≥ 0 and at least one worker")
        let state = SharedState<Output>(runs: runs)
        let group = DispatchGroup()
        for index in 0..<min(workers, max(runs, 1)) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let worker: Worker
                do { worker = try prepare(index) } catch {
                    state.failedToPrepare(error)
                    return
                }
                while let run = state.takeNext() {
                    state.finish(run, Result { try job(run, worker) })
                }
            }
            // A driver thread only: the CPU backend's loops and OpenBLAS keep their own threads.
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return state.outcomes()
    }
}

/// The queue's position and the outcomes so far, shared by the worker threads under one lock.
private final class SharedState<Output>: @unchecked Sendable {
    private let lock = NSLock()
    private let runs: Int
    private var next = 0
    private var finished: [Result<Output, Error>?]
    private var preparationErrors: [Error] = []

    init(runs: Int) {
        self.runs = runs
        finished = Array(repeating: nil, count: runs)
    }

    /// The next run nobody has taken, or nil when the queue is empty.
    func takeNext() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < runs else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ run: Int, _ outcome: Result<Output, Error>) {
        lock.lock(); finished[run] = outcome; lock.unlock()
    }

    func failedToPrepare(_ error: Error) {
        lock.lock(); preparationErrors.append(error); lock.unlock()
    }

    /// Every run's outcome; a run no worker took (every worker failed to prepare) carries the first preparation error.
    func outcomes() -> [Result<Output, Error>] {
        lock.lock(); defer { lock.unlock() }
        return finished.map { $0 ?? .failure(preparationErrors.first ?? ConfigurationError("No device could take the run.")) }
    }
}
