import Foundation
import VDrop
import XCTest

/// `--devices`: the runs of `--seeds` (and of a sweep) spread over several devices, and each
/// gives what it gives alone on the backend that took it.
extension CommandLineTests {
    func testSeedsOnTwoDevicesEqualEachRunAlone() throws {
        guard (try? DeviceInventory())?.allDevices.contains(where: { $0.kind == .cpu }) == true else {
            throw XCTSkip("no OpenCL CPU device (PoCL) to pair with the CPU backend")
        }
        let data = try writeData(train: 200, test: 50)
        let base = ["train", "--model", "lenet300", "--objective", "svdo", "--epochs", "1", "--batch", "20", "--data", data]
        let queued = try vdrop(base + ["--seeds", "2", "--devices", "cpu,opencl-cpu", "--out", folder + "/queued"])
        XCTAssertEqual(queued.status, 0, queued.output)
        XCTAssertTrue(queued.output.contains("device 1 of 2: cpu") && queued.output.contains("device 2 of 2: opencl"), queued.output)
        XCTAssertTrue(queued.output.contains("(mean ± std over 2 of 2 seeds"), queued.output)
        for seed in 1...2 {
            let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/queued/seed-\(seed)/results.json"))) as? [String: Any]
            let backend = try XCTUnwrap(results?["backend"] as? String)
            let alone = try vdrop(base + ["--seed", "\(seed)", "--device", backend == "cpu" ? "cpu" : "opencl-cpu", "--out", folder + "/alone-\(seed)"])
            XCTAssertEqual(alone.status, 0, alone.output)
            let expected = try Checkpoint(contentsOf: folder + "/alone-\(seed)/checkpoint.safetensors")
            let got = try Checkpoint(contentsOf: folder + "/queued/seed-\(seed)/checkpoint.safetensors")
            XCTAssertEqual(got.tensors, expected.tensors, "seed \(seed) on \(backend)")
            XCTAssertEqual(got.step, expected.step)
        }
    }

    func testADeviceThatCannotBeUsedLeavesItsRunsToTheOthers() throws {
        let data = try writeData(train: 100, test: 20)
        let outcome = try vdrop(["train", "--model", "lenet300", "--epochs", "1", "--batch", "20", "--data", data, "--seeds", "2",
                                 "--devices", "cpu,7:7", "--out", folder + "/runs"])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("device 2 of 2 (7:7) cannot be used: There is no OpenCL device 7:7"), outcome.output)
        XCTAssertTrue(outcome.output.contains("over 2 of 2 seeds"), outcome.output)
        let both = try vdrop(["train", "--device", "cpu", "--devices", "cpu"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.output.contains("Give --device or --devices, not both."), both.output)
    }
}
