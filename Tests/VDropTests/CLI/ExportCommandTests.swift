import Foundation
@testable import VDrop
import XCTest

/// `vdrop export` as a user runs it (the binary, on a slice of Fashion-MNIST).
extension CommandLineTests {
    func testExportWritesFilesThatReadBackWithTheErrorEvalMeasures() throws {
        let data = try writeData(train: 100, test: 60)
        let (_, checkpoint) = try CompactionTests.trimmedCheckpoint(.lenet300)
        let saved = folder + "/checkpoint.safetensors"
        try checkpoint.write(to: saved)
        let trim = "logalpha:3.0"
        let evaluated = try vdrop(["eval", "--checkpoint", saved, "--trim", trim, "--data", data, "--device", "cpu"])
        XCTAssertEqual(evaluated.status, 0, evaluated.output)
        let error = try XCTUnwrap(evaluated.output.split(separator: "\n").first { $0.hasPrefix("test error") }?.split(separator: " ")[2])

        let expected = try InferenceModel(checkpoint: checkpoint, rule: TrimRule(parsing: trim), file: saved)
        for format in ["csr", "compact"] {
            let out = folder + "/net.\(format).safetensors"
            let exported = try vdrop(["export", "--checkpoint", saved, "--trim", trim, "--format", format, "--out", out, "--data", data, "--device", "cpu"])
            XCTAssertEqual(exported.status, 0, exported.output)
            XCTAssertTrue(exported.output.contains("test error \(error) on 60 test samples"), "eval said \(error): \(exported.output)")
            XCTAssertTrue(exported.output.contains("smaller than the dense fp32 parameters"), exported.output)
            let model = try InferenceModel.load(contentsOf: out)
            XCTAssertEqual(model.provenance.testErrorPercent.map { String(format: "%.2f%%", $0) }, String(error))
            XCTAssertEqual(model.stages, format == "csr" ? expected.stages : expected.compacted().stages, format)
            if format == "compact" {
                XCTAssertTrue(exported.output.contains("compact architecture: 1x28x28 -> "), exported.output)
            }
            // vdrop eval takes the exported file too, on both backends, with the same error.
            for device in ["cpu", "opencl-cpu"] {
                let reevaluated = try vdrop(["eval", "--checkpoint", out, "--data", data, "--device", device])
                XCTAssertEqual(reevaluated.status, 0, reevaluated.output)
                XCTAssertTrue(reevaluated.output.contains("test error \(error) (\(trim))"), "eval said \(error): \(reevaluated.output)")
            }
            // An exported file is already trimmed: a rule for it is refused, with a sentence.
            let again = try vdrop(["export", "--checkpoint", out, "--trim", trim, "--format", "csr", "--out", folder + "/again", "--device", "cpu"])
            XCTAssertFalse(again.trapped, again.output)
            XCTAssertNotEqual(again.status, 0)
            XCTAssertTrue(again.output.contains("already trimmed by \(trim)"), again.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/again"))
        }
        // Without --trim an exported file exports again (csr → compact), keeping its recorded error.
        let converted = try vdrop(["export", "--checkpoint", folder + "/net.csr.safetensors", "--format", "compact", "--out", folder + "/c2", "--device", "cpu"])
        XCTAssertEqual(converted.status, 0, converted.output)
        XCTAssertTrue(converted.output.contains("test error \(error) as recorded in the file"), converted.output)
        XCTAssertEqual(try InferenceModel.load(contentsOf: folder + "/c2"), try InferenceModel.load(contentsOf: folder + "/net.compact.safetensors"))
        let badFormat = try vdrop(["export", "--checkpoint", saved, "--format", "zip", "--out", folder + "/x"])
        XCTAssertNotEqual(badFormat.status, 0)
        XCTAssertTrue(badFormat.output.contains("zip"), badFormat.output)

        // ONNX, of the trimmed and of the compact network: read back to the same network, and
        // vdrop eval measures the same error on it (onnxruntime's check is scripts/check-onnx.py).
        for compact in [false, true] {
            let out = folder + "/net\(compact ? ".compact" : "").onnx"
            let exported = try vdrop(["export", "--checkpoint", saved, "--trim", trim, "--format", "onnx", "--out", out, "--data", data, "--device", "cpu"]
                                     + (compact ? ["--compact"] : []))
            XCTAssertEqual(exported.status, 0, exported.output)
            let model = try InferenceModel.load(contentsOf: out)
            let reference = compact ? expected.compacted() : expected
            XCTAssertEqual(model.stages.count, reference.stages.count)
            XCTAssertEqual(model.inputSelection, reference.inputSelection)
            XCTAssertEqual(model.weightCounts.nonZero, reference.weightCounts.nonZero)
            let reevaluated = try vdrop(["eval", "--checkpoint", out, "--data", data, "--device", "cpu"])
            XCTAssertEqual(reevaluated.status, 0, reevaluated.output)
            XCTAssertTrue(reevaluated.output.contains("test error \(error) (\(trim))"), "eval said \(error): \(reevaluated.output)")
        }
        let misplaced = try vdrop(["export", "--checkpoint", saved, "--format", "csr", "--compact", "--out", folder + "/y"])
        XCTAssertNotEqual(misplaced.status, 0)
        XCTAssertTrue(misplaced.output.contains("--compact goes with --format onnx"), misplaced.output)
    }

    /// scripts/check-export.py, numpy, SciPy and PyTorch with no vdrop code, runs each exported
    /// file on the same test samples and must count the same errors `vdrop export` recorded.
    func testTheIndependentReaderMeasuresTheSameError() throws {
        let script = FuzzInputTests.fuzzFolder.deletingLastPathComponent().appendingPathComponent("scripts/check-export.py").path
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy, scipy, torch, safetensors"]
        probe.standardError = FileHandle.nullDevice
        do { try probe.run(); probe.waitUntilExit() } catch { throw XCTSkip("python3 cannot be run: \(error)") }
        guard probe.terminationStatus == 0 else { throw XCTSkip("python3 lacks numpy, scipy, torch or safetensors") }
        let data = try writeData(train: 100, test: 200)
        let (_, checkpoint) = try CompactionTests.trimmedCheckpoint(.lenet300)
        let saved = folder + "/checkpoint.safetensors"
        try checkpoint.write(to: saved)
        var recorded: [Double] = []
        let files = ["csr", "compact"].map { folder + "/net.\($0)" }
        for (format, out) in zip(["csr", "compact"], files) {
            let exported = try vdrop(["export", "--checkpoint", saved, "--format", format, "--out", out, "--data", data, "--device", "cpu"])
            XCTAssertEqual(exported.status, 0, exported.output)
            recorded.append(try XCTUnwrap(InferenceModel.load(contentsOf: out).provenance.testErrorPercent))
        }
        // One python3 for both files: importing PyTorch takes seconds.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["python3", script] + files + [data]
        let pipe = Pipe()
        reader.standardOutput = pipe
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        XCTAssertEqual(reader.terminationStatus, 0, output)
        let measured = output.split(separator: "\n").filter { $0.hasPrefix("test error") }
        XCTAssertEqual(measured.count, 2, output)
        for (line, error) in zip(measured, recorded) {
            XCTAssertTrue(line.hasPrefix(String(format: "test error %.2f%% on 200 test samples", error)), "vdrop recorded \(error)%: \(output)")
        }
    }
}
