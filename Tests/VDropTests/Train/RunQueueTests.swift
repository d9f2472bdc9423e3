import Foundation
import VDrop
import XCTest

/// The queue behind `--devices`: every run is taken exactly once, each device holds one run at
/// a time, a failing run leaves the others alone, and a run's result does not depend on the
/// device slot that took it.
final class RunQueueTests: XCTestCase {
    func testEveryRunIsTakenOnceAndEachWorkerHoldsOneRunAtATime() {
        let lock = NSLock()
        var busy = Set<Int>(), overlaps = 0, takenBy: [Int: Int] = [:]
        let outcomes = RunQueue.run(runs: 9, workers: 3, prepare: { $0 }, job: { run, worker -> Int in
            lock.lock()
            if busy.contains(worker) { overlaps += 1 }
            busy.insert(worker)
            takenBy[run] = worker
            lock.unlock()
            usleep(UInt32(1000 * (run % 3 + 1)))
            lock.lock(); busy.remove(worker); lock.unlock()
            return run * run
        })
        XCTAssertEqual(outcomes.map { try? $0.get() }, (0..<9).map { $0 * $0 })
        XCTAssertEqual(overlaps, 0)
        XCTAssertEqual(Set(takenBy.keys), Set(0..<9))
        XCTAssertGreaterThan(Set(takenBy.values).count, 1, "the runs should spread over the workers")
    }

    struct Failure: Error, Equatable { let run: Int }

    func testAFailingRunLeavesTheOthersToFinish() {
        let outcomes = RunQueue.run(runs: 5, workers: 2, prepare: { $0 }, job: { run, _ -> Int in
            if run == 1 { throw Failure(run: 1) }
            return run
        })
        XCTAssertEqual(outcomes.compactMap { try? $0.get() }, [0, 2, 3, 4])
        guard case .failure(let error as Failure) = outcomes[1] else { return XCTFail("run 1 should fail") }
        XCTAssertEqual(error, Failure(run: 1))
    }

    func testAWorkerThatCannotStartLeavesItsRunsToTheOthers() {
        let outcomes = RunQueue.run(runs: 4, workers: 2, prepare: { worker -> Int in
            if worker == 0 { throw Failure(run: -1) }
            return worker
        }, job: { run, worker in run * 10 + worker })
        XCTAssertEqual(outcomes.map { try? $0.get() }, [1, 11, 21, 31])
        let none = RunQueue.run(runs: 2, workers: 2, prepare: { _ -> Int in throw Failure(run: -2) }, job: { run, _ in run })
        for outcome in none {
            guard case .failure(let error as Failure) = outcome else { return XCTFail("no worker could start") }
            XCTAssertEqual(error, Failure(run: -2))
        }
    }

    func testDeviceListsParse() throws {
        XCTAssertEqual(try DeviceChoice.list(parsing: "cpu,opencl-cpu"), [.cpu, .openCLCPU])
        XCTAssertEqual(try DeviceChoice.list(parsing: "0:0, 0:1"), [.indexed(platform: 0, device: 0), .indexed(platform: 0, device: 1)])
        XCTAssertEqual(try DeviceChoice.list(parsing: "cpu,cpu"), [.cpu, .cpu])
        XCTAssertThrowsError(try DeviceChoice.list(parsing: "cpu,,0:0")) { XCTAssertTrue("\($0)".contains("empty entry"), "\($0)") }
        XCTAssertThrowsError(try DeviceChoice.list(parsing: "cpu,tpu")) { XCTAssertTrue("\($0)".contains("\"tpu\" is not a device"), "\($0)") }
        // all: every GPU of the host, or the CPU backend where there is none.
        let all = try DeviceChoice.list(parsing: "all")
        let gpus = ((try? DeviceInventory())?.allDevices ?? []).filter { $0.kind == .gpu }
        XCTAssertEqual(all, gpus.isEmpty ? [.cpu] : gpus.map { .indexed(platform: $0.platformIndex, device: $0.index) })
    }
}
