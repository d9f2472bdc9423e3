import VDrop
import XCTest
import VDropCL
import VDropTools

/// `vdrop bench --profile`: per-kernel device time from OpenCL profiling events.
final class KernelProfileTests: XCTestCase {
    func testSumsByNameAndCountsALibraryRoutineFromThePreviousEnd() {
        let commands = [
            RecordedCommand(name: "a", startNanoseconds: 1_000, endNanoseconds: 3_000),
            // CLBlast: its event times its last kernel (5 000–9 000); the padding ran from 3 000.
            RecordedCommand(name: "sgemm", spansPrecedingGap: true, startNanoseconds: 5_000, endNanoseconds: 9_000),
            RecordedCommand(name: "a", startNanoseconds: 10_000, endNanoseconds: 11_000),
            RecordedCommand(name: "b", startNanoseconds: 13_000, endNanoseconds: 14_000),
        ]
        let profile = KernelProfile(commands: commands, steps: 2)
        XCTAssertEqual(profile.steps, 2)
        XCTAssertEqual(profile.spanMsPerStep, 0.0065, accuracy: 1e-12)   // 13 µs over 2 steps
        XCTAssertEqual(profile.busyMsPerStep, 0.005, accuracy: 1e-12)    // 2 + 6 + 1 + 1 µs
        XCTAssertEqual(profile.entries.map(\.name), ["sgemm", "a", "b"])
        XCTAssertEqual(profile.entries[0].msPerStep, 0.003, accuracy: 1e-12)
        XCTAssertEqual(profile.entries[1].launchesPerStep, 1)
        XCTAssertEqual(profile.entries[1].msPerStep, 0.0015, accuracy: 1e-12)
        XCTAssertEqual(profile.entries[2].share, 0.1, accuracy: 1e-12)
    }

    func testAProfilingQueueTimesEveryLaunchOfAStep() throws {
        let device = try TestBackends.openCL().device
        let backend = try OpenCLBackend(device: device, profiling: true)
        let m = try StepBenchmark.measure(model: .lenet300, objective: .svdo, batch: 8, backend: backend,
                                          samples: 1, stepsPerSample: 1, warmupSteps: 1, profileSteps: 2)
        let profile = try XCTUnwrap(m.profile)
        XCTAssertEqual(profile.entries.map(\.launchesPerStep).reduce(0, +), try XCTUnwrap(m.kernelsPerStep))
        XCTAssertTrue(profile.entries.contains { $0.name == "adam_update" && $0.launchesPerStep == 1 })
        XCTAssertGreaterThan(profile.busyMsPerStep, 0)
        XCTAssertLessThanOrEqual(profile.busyMsPerStep, profile.spanMsPerStep * 1.000001)
        XCTAssertEqual(profile.entries.map(\.share).reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertFalse(backend.queue.recordsEvents, "recording stops after the profiled steps")

        // A queue made without profiling gives no profile and records nothing.
        let plain = try StepBenchmark.measure(model: .lenet300, objective: .svdo, batch: 8, backend: TestBackends.openCL(),
                                              samples: 1, stepsPerSample: 1, warmupSteps: 1, profileSteps: 2)
        XCTAssertNil(plain.profile)
    }
}
