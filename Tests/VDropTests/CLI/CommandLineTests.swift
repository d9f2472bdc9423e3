import Foundation
import VDrop
import XCTest

/// The `vdrop` binary as a user runs it: bad input ends with a sentence and a non-zero exit
/// (never a trap, 132/134), and Ctrl-C ends a run with a checkpoint, the command that
/// continues it, and exit 130.
final class CommandLineTests: TemporaryFolderTestCase {
    /// The binary SwiftPM built beside the test bundle.
    static var binary: String {
        ((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("vdrop")
    }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw XCTSkip("the vdrop binary is not built beside the tests (\(Self.binary))")
        }
        try super.setUpWithError()
    }

    struct Outcome {
        var status: Int32
        var output: String
        var trapped: Bool { status == 132 || status == 134 || status == 139 }
    }

    /// Runs vdrop with `arguments`; `interruptWhen` sends SIGINT once the output contains it;
    /// `launcher` runs it under another program (e.g. mpirun and its flags); `environment` is
    /// added to this process's.
    func vdrop(_ arguments: [String], interruptWhen marker: String? = nil, launcher: [String] = [],
               environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.binary)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [Self.binary] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        if let marker {
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline {
                if output.text.contains(marker) { kill(process.processIdentifier, SIGINT); break }
                usleep(20_000)
            }
        }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        output.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return Outcome(status: process.terminationStatus, output: output.text)
    }

    /// What a child process wrote, filled from the pipe's reader thread.
    final class OutputBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }

    /// An MNIST-style folder of the first samples of Fashion-MNIST.
    func writeData(train: Int, test: Int) throws -> String {
        let data = try TrainingRunTests.slice.get()
        let path = folder + "/data"
        try IDXFolder.write(at: path, trainPixels: Array(data.train.pixels.prefix(train * 784)), trainLabels: Array(data.train.labels.prefix(train)),
                            testPixels: Array(data.test.pixels.prefix(test * 784)), testLabels: Array(data.test.labels.prefix(test)))
        return path
    }

    func testCtrlCSavesAndPrintsTheCommandThatResumes() throws {
        let data = try writeData(train: 2000, test: 100)
        let out = folder + "/run with space"
        let arguments = ["train", "--model", "lenet300", "--epochs", "3", "--batch", "20", "--log-every", "5",
                         "--device", "cpu", "--data", data, "--out", out]
        let stopped = try vdrop(arguments, interruptWhen: "steps")
        XCTAssertEqual(stopped.status, 130, stopped.output)
        XCTAssertTrue(stopped.output.contains("holds every step done"), stopped.output)
        let command = try XCTUnwrap(stopped.output.split(separator: "\n").first { $0.contains("--resume") }).trimmingCharacters(in: .whitespaces)
        XCTAssertTrue(command.contains("'\(out)'"), "the folder with a space is quoted: \(command)")
        let checkpoint = try Checkpoint(contentsOf: out + "/checkpoint.safetensors")
        XCTAssertGreaterThan(checkpoint.step, 0)
        XCTAssertLessThan(checkpoint.step, 300, "the run ended before the interruption")

        // Without --resume the folder is refused; the printed command, run by a shell, continues it.
        let refused = try vdrop(arguments)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("already holds a run") && refused.output.contains("--force"), refused.output)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", command + " > /dev/null"]
        try shell.run()
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0, command)
        XCTAssertEqual(try Checkpoint(contentsOf: out + "/checkpoint.safetensors").step, 300)
    }

    func testBadFlagsAreSentencesNotTraps() throws {
        let data = try writeData(train: 200, test: 7)
        let file = folder + "/a-file"
        try Data().write(to: URL(fileURLWithPath: file))
        let base = ["train", "--model", "lenet300", "--epochs", "1", "--batch", "20", "--device", "cpu", "--data", data]
        let cases: [([String], String)] = [
            (["--seed", "18446744073709551615", "--seeds", "2"], "largest seed"),
            (["--lr", "1e30"], "--lr"),
            (["--anneal-epochs", "inf"], "--anneal-epochs"),
            (["--alpha", "inf", "--objective", "gaussian"], "--alpha"),
            (["--a", "inf", "--objective", "gamma"], "--a"),
            (["--b", "inf", "--objective", "gamma"], "--b"),
            (["--out", file], "is a file"),
            (["--out", "/sys/vdrop"], "cannot be created"),
            (["--out", folder + "/" + String(repeating: "x", count: 300)], "cannot be created"),
            (["--parameterization", "sigma"], "parameterization"),
            (["--eval-every", "0"], "--eval-every must be at least 1"),
            (["--histogram-every=-1"], "--histogram-every must be at least 1"),
            (["--tensorboard", file], "is a file; name a folder for the event files"),
            (["--init-from", folder + "/missing.safetensors"], "missing.safetensors: cannot be read"),
            (["--init-from", file], "a-file"),
            (["--auto-tune", "maybe"], "--auto-tune must be auto, on or off"),
            (["--auto-tune", "on", "--gemm-parameters", "library"], "cannot go with --gemm-parameters library"),
            (["--auto-tune", "on", "--gemm-routes", "clblast"], "--gemm-routes clblast sets them all"),
            (["--conv-route", "implicit:huge"], "--conv-route must be im2col, fused, implicit or implicit-full"),
        ]
        for (extra, expected) in cases {
            let outcome = try vdrop(base + extra)
            XCTAssertFalse(outcome.trapped, "\(extra) trapped: \(outcome.output)")
            XCTAssertNotEqual(outcome.status, 0, "\(extra) was accepted")
            XCTAssertTrue(outcome.output.contains(expected), "\(extra): \(outcome.output)")
            XCTAssertFalse(outcome.output.contains("NSCocoaErrorDomain") || outcome.output.contains("Error Domain="), outcome.output)
        }
        // A batch larger than twice the 7 test samples: trains, evaluates, and eval agrees.
        let out = folder + "/ok"
        let trained = try vdrop(base + ["--out", out, "--tensorboard", folder + "/tb"])
        XCTAssertEqual(trained.status, 0, trained.output)
        XCTAssertTrue(trained.output.contains("Report: \(out)/report.html"), trained.output)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: folder + "/tb").contains { $0.hasPrefix("events.out.tfevents.") })
        let noRun = try vdrop(["report", folder + "/missing"])
        XCTAssertNotEqual(noRun.status, 0)
        XCTAssertTrue(noRun.output.contains("is not a folder; name the folder of a vdrop training run."), noRun.output)
        let evaluated = try vdrop(["eval", "--checkpoint", out + "/checkpoint.safetensors", "--data", data, "--batch", "1000", "--device", "cpu"])
        XCTAssertEqual(evaluated.status, 0, evaluated.output)
        XCTAssertTrue(evaluated.output.contains("7 test samples"), evaluated.output)
    }
}
