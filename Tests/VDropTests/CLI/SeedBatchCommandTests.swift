import Foundation
import VDrop
import XCTest

/// `train --seeds N` on one device trains the seeds as one batched network: each seed's
/// checkpoint is its run alone, Ctrl-C saves every seed, and the printed command resumes them.
extension CommandLineTests {
    func testSeedsTrainAsOneBatchEqualToEachSeedAlone() throws {
        let data = try writeData(train: 200, test: 50)
        let base = ["train", "--model", "lenet300", "--objective", "svdo", "--epochs", "2", "--batch", "20", "--data", data]
        let batched = try vdrop(base + ["--device", "cpu", "--seeds", "2", "--out", folder + "/batched"])
        XCTAssertEqual(batched.status, 0, batched.output)
        XCTAssertTrue(batched.output.contains("2 seeds at a time as one batched network"), batched.output)
        XCTAssertTrue(batched.output.contains("(mean ± std over 2 of 2 seeds"), batched.output)
        let serial = try vdrop(base + ["--device", "cpu", "--seeds", "2", "--seed-batch", "1", "--out", folder + "/serial"])
        XCTAssertEqual(serial.status, 0, serial.output)
        XCTAssertFalse(serial.output.contains("batched network"), "--seed-batch 1 trains one seed after another: \(serial.output)")
        for seed in 1...2 {
            let alone = try vdrop(base + ["--device", "cpu", "--seed", "\(seed)", "--out", folder + "/alone-\(seed)"])
            XCTAssertEqual(alone.status, 0, alone.output)
            let expected = try Checkpoint(contentsOf: folder + "/alone-\(seed)/checkpoint.safetensors")
            for run in ["batched", "serial"] {
                let got = try Checkpoint(contentsOf: folder + "/\(run)/seed-\(seed)/checkpoint.safetensors")
                XCTAssertEqual(got.tensors, expected.tensors, "seed \(seed), \(run)")
                XCTAssertEqual(got.step, expected.step, "seed \(seed), \(run)")
            }
        }
        let refused = try vdrop(base + ["--seeds", "2", "--seed-batch", "2", "--devices", "cpu,cpu"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("with --devices each device trains whole runs"), refused.output)
        XCTAssertFalse(refused.trapped, refused.output)
    }

    func testCtrlCDuringABatchSavesEverySeedAndTheCommandResumesThem() throws {
        let data = try writeData(train: 2000, test: 100)
        let out = folder + "/batch"
        let arguments = ["train", "--model", "lenet300", "--epochs", "3", "--batch", "20", "--log-every", "5",
                         "--device", "cpu", "--data", data, "--seeds", "2", "--out", out]
        let stopped = try vdrop(arguments, interruptWhen: "steps")
        XCTAssertEqual(stopped.status, 130, stopped.output)
        let steps = try (1...2).map { try Checkpoint(contentsOf: out + "/seed-\($0)/checkpoint.safetensors").step }
        XCTAssertEqual(steps[0], steps[1], "the seeds of a batch stop at the same step")
        XCTAssertGreaterThan(steps[0], 0)
        XCTAssertLessThan(steps[0], 300, "the run ended before the interruption")
        let command = try XCTUnwrap(stopped.output.split(separator: "\n").first { $0.contains("--resume") }).trimmingCharacters(in: .whitespaces)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", command + " > /dev/null"]
        try shell.run()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0, command)
        for seed in 1...2 {
            XCTAssertEqual(try Checkpoint(contentsOf: out + "/seed-\(seed)/checkpoint.safetensors").step, 300, "seed \(seed)")
        }
    }
}
