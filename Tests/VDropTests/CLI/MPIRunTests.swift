import Foundation
import VDrop
import XCTest

/// `mpirun -np 2 vdrop …` on the CPU backend: the runs split over the ranks, rank 0 prints the
/// table, and every run equals the single process's bit for bit.
extension CommandLineTests {
    /// mpirun with what a 2-core machine and a root user need.
    static var mpirun: [String]? {
        let path = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return path.map { [$0, "--allow-run-as-root", "--oversubscribe", "-np", "2"] }
    }

    func testTwoRanksSplitTheSeedsAndEqualOneProcess() throws {
        guard let mpirun = Self.mpirun else { throw XCTSkip("Open MPI's mpirun is not installed (make installs openmpi-bin)") }
        let data = try writeData(train: 200, test: 50)
        let base = ["train", "--model", "lenet300", "--objective", "svdo", "--epochs", "1", "--batch", "20", "--data", data,
                    "--device", "cpu", "--seeds", "3"]
        // Unbound ranks see the cores the single process sees: OpenBLAS rounds some products
        // differently in a process allowed one core (what mpirun's default binding gives).
        let split = try vdrop(base + ["--out", folder + "/split"], launcher: mpirun + ["--bind-to", "none"])
        XCTAssertEqual(split.status, 0, split.output)
        XCTAssertTrue(split.output.contains("rank 0 of 2: runs seed 1; seed 3 on cpu"), split.output)
        XCTAssertTrue(split.output.contains("rank 1 of 2: runs seed 2 on cpu"), split.output)
        XCTAssertEqual(split.output.components(separatedBy: "(mean ± std over 3 of 3 seeds").count, 2, "rank 0 alone prints the table: \(split.output)")
        let single = try vdrop(base + ["--out", folder + "/single"])
        XCTAssertEqual(single.status, 0, single.output)
        func table(_ output: String) -> String? { output.split(separator: "\n").first { $0.hasPrefix("lenet300 svdo") }.map(String.init) }
        XCTAssertEqual(table(split.output), table(single.output))
        for seed in 1...3 {
            let got = try Checkpoint(contentsOf: folder + "/split/seed-\(seed)/checkpoint.safetensors")
            let expected = try Checkpoint(contentsOf: folder + "/single/seed-\(seed)/checkpoint.safetensors")
            XCTAssertEqual(got.tensors, expected.tensors, "seed \(seed)")
        }
    }

    func testARankThatFailsIsNamedAndTheOthersFinish() throws {
        guard let mpirun = Self.mpirun else { throw XCTSkip("Open MPI's mpirun is not installed (make installs openmpi-bin)") }
        let data = try writeData(train: 100, test: 20)
        // Rank 1's device does not exist: its run fails, rank 0's finishes, the table says what is missing.
        let outcome = try vdrop(["sweep", "--model", "lenet300", "--epochs", "1", "--batch", "20", "--data", data, "--a", "0.505,0.51",
                                 "--devices", "cpu,7:7", "--out", folder + "/sweep"], launcher: mpirun)
        XCTAssertNotEqual(outcome.status, 0, outcome.output)
        XCTAssertFalse(outcome.trapped, outcome.output)
        XCTAssertTrue(outcome.output.contains("[a 0.51, seed 1] failed: on rank 1: There is no OpenCL device 7:7"), outcome.output)
        XCTAssertTrue(outcome.output.contains("0.510    (no run finished)"), outcome.output)
        XCTAssertTrue(outcome.output.contains("missing: a 0.51, seed 1 (failed, see above)"), outcome.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/sweep/a-0.505-seed-1/checkpoint.safetensors"))
    }

    /// One run over 2 ranks: equal to one process within float summation, repeatable bit for bit.
    func testDataParallelOverTwoRanksEqualsOneProcessAndRepeats() throws {
        guard let mpirun = Self.mpirun else { throw XCTSkip("Open MPI's mpirun is not installed (make installs openmpi-bin)") }
        let data = try writeData(train: 200, test: 40)
        let base = ["train", "--model", "lenet5", "--objective", "svdo", "--epochs", "1", "--batch", "20", "--log-every", "5",
                    "--data", data, "--device", "cpu"]
        let parallel = try vdrop(base + ["--out", folder + "/parallel"], launcher: mpirun)
        XCTAssertEqual(parallel.status, 0, parallel.output)
        XCTAssertTrue(parallel.output.contains("rank 1 of 2: 10 of each batch of 20"), parallel.output)
        XCTAssertEqual(parallel.output.components(separatedBy: "test error ").count, 2, "rank 0 alone reports: \(parallel.output)")
        let again = try vdrop(base + ["--out", folder + "/again"], launcher: mpirun)
        XCTAssertEqual(again.status, 0, again.output)
        let single = try vdrop(base + ["--out", folder + "/single"])
        XCTAssertEqual(single.status, 0, single.output)
        let twoRanks = try Checkpoint(contentsOf: folder + "/parallel/checkpoint.safetensors")
        XCTAssertEqual(try Checkpoint(contentsOf: folder + "/again/checkpoint.safetensors").tensors, twoRanks.tensors, "repeatable bit for bit")
        let oneRank = try Checkpoint(contentsOf: folder + "/single/checkpoint.safetensors")
        var difference = 0.0, norm = 0.0
        for (name, entry) in oneRank.tensors where !name.hasPrefix("optimizer.") {
            let other = try XCTUnwrap(twoRanks.tensors[name]).values
            for (a, b) in zip(entry.values, other) { difference += Double(a - b) * Double(a - b); norm += Double(a) * Double(a) }
        }
        XCTAssertLessThan((difference / norm).squareRoot(), 1e-5)
        XCTAssertEqual(twoRanks.step, 10)
        // A batch the ranks cannot share evenly stops every rank with one sentence.
        let uneven = try vdrop(base + ["--batch", "25", "--out", folder + "/uneven"], launcher: mpirun)
        XCTAssertNotEqual(uneven.status, 0)
        XCTAssertFalse(uneven.trapped, uneven.output)
        XCTAssertTrue(uneven.output.contains("--batch 25 does not split evenly over 2 ranks"), uneven.output)
    }

    /// A data-parallel run resumed (here: extended by an epoch) over 2 ranks ends exactly where
    /// the run that was never stopped ends: every rank reads rank 0's checkpoint.
    func testDataParallelResumeEqualsAnUninterruptedRun() throws {
        guard let mpirun = Self.mpirun else { throw XCTSkip("Open MPI's mpirun is not installed (make installs openmpi-bin)") }
        let data = try writeData(train: 200, test: 40)
        let base = ["train", "--model", "lenet300", "--objective", "svdo", "--batch", "20", "--decay-from", "1",
                    "--data", data, "--device", "cpu"]
        let whole = try vdrop(base + ["--epochs", "2", "--out", folder + "/whole"], launcher: mpirun)
        XCTAssertEqual(whole.status, 0, whole.output)
        let first = try vdrop(base + ["--epochs", "1", "--out", folder + "/resumed"], launcher: mpirun)
        XCTAssertEqual(first.status, 0, first.output)
        let resumed = try vdrop(base + ["--epochs", "2", "--resume", "--out", folder + "/resumed"], launcher: mpirun)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed/checkpoint.safetensors after epoch 1."), resumed.output)
        let expected = try Checkpoint(contentsOf: folder + "/whole/checkpoint.safetensors")
        let got = try Checkpoint(contentsOf: folder + "/resumed/checkpoint.safetensors")
        XCTAssertEqual(got.step, 20)
        XCTAssertEqual(got.tensors, expected.tensors)
    }
}
