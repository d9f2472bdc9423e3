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
    }
}
