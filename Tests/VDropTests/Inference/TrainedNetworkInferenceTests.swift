import Foundation
import VDrop
import XCTest

/// A network trained here for one epoch on a slice of Fashion-MNIST, saved and loaded back:
/// every path's predictions give the error the evaluation (`vdrop eval`'s path) reports, and
/// `vdrop infer` prints it and writes the predictions.
final class TrainedNetworkInferenceTests: TemporaryFolderTestCase {
    /// One epoch on 1000 samples, trimmed at |θ| < 0.05 so there are zeros to skip.
    func trainedCheckpoint() throws -> (Trainer, String, TrimRule) {
        let full = try TrainingRunTests.slice.get()
        let data = DataSplit(train: full.train.prefix(1000), test: full.test.prefix(500), source: full.source)
        let c = TrainingConfiguration.shortRun(model: .lenet300, objective: .ard, epochs: 1, batch: 50, decayFrom: 0.5,
                                               annealEpochs: 1, seed: 3, logEvery: 100, regularizerScale: 0.02)
        let trainer = try Trainer(configuration: c, data: data, backend: TestBackends.cpu, outputDirectory: folder + "/run")
        _ = try trainer.run()
        return (trainer, folder + "/run/checkpoint.safetensors", .mu(threshold: 0.05))
    }

    func testEveryPathGivesTheEvaluationsErrorAndVdropInferPrintsIt() throws {
        let (trainer, checkpoint, rule) = try trainedCheckpoint()
        let evaluation = try Evaluator.evaluate(network: trainer.network, data: trainer.test, rule: rule)
        let model = try InferenceModel.load(contentsOf: checkpoint, rule: rule)
        XCTAssertGreaterThan(model.provenance.compression, 1.5, "the rule trims weights")
        let test = trainer.test.dataset
        let reference = model.referencePredictions(samples: test.images, count: test.count)
        let referenceErrors = zip(reference, test.labels).filter { $0 != Int($1) }.count
        // The reference and the evaluation may part on a sample whose top logits tie to rounding.
        XCTAssertEqual(Double(referenceErrors) / Double(test.count) * 100, evaluation.errorPercent, accuracy: 0.21)
        var backends: [any Backend] = [TestBackends.cpu]
        if let device = try? TestBackends.openCL() { backends.append(device) }
        for backend in backends {
            for path in InferencePath.allCases {
                let result = try TestSetPrediction(engine: try InferenceEngine(model: model, backend: backend, path: path, batchSize: 64),
                                                   dataset: test)
                let differing = zip(result.predictions, reference).filter { $0 != $1 }.count
                XCTAssertLessThanOrEqual(differing, 1, "\(path) on \(backend.name): \(differing) predictions differ from the reference")
                XCTAssertEqual(result.errorPercent, evaluation.errorPercent, accuracy: 0.21, "\(path) on \(backend.name)")
                if backend is CPUBackend && path == .dense {
                    // The dense path on the CPU backend runs the evaluation's own products.
                    XCTAssertEqual(result.errorPercent, evaluation.errorPercent, "dense path on the CPU backend")
                }
            }
        }

        let binary = ((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("vdrop")
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw XCTSkip("the vdrop binary is not built beside the tests") }
        let dataFolder = try writeTestFolder(test)
        let csv = folder + "/predictions.csv"
        let (status, output) = try run(binary, ["infer", "--weights", checkpoint, "--data", dataFolder, "--device", "cpu", "--path", "sparse",
                                                "--trim", "mu:0.05", "--batch", "100", "--out", csv])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("path sparse, batch 100"), output)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "index,label,prediction")
        XCTAssertEqual(lines.count, test.count + 1)
        let written = lines.dropFirst().map { $0.split(separator: ",").map { Int($0)! } }
        XCTAssertEqual(written.map { $0[1] }, test.labels.map(Int.init))
        XCTAssertLessThanOrEqual(zip(written.map { $0[2] }, reference).filter { $0 != $1 }.count, 1)
        let errors = written.filter { $0[1] != $0[2] }.count
        XCTAssertTrue(output.contains(String(format: "test error %.2f%% (%d of %d)", 100 * Double(errors) / Double(test.count), errors, test.count)), output)

        let (badStatus, badOutput) = try run(binary, ["infer", "--weights", checkpoint, "--data", dataFolder, "--path", "csr"])
        XCTAssertNotEqual(badStatus, 0)
        XCTAssertTrue(badOutput.contains("--path must be dense, sparse or auto"), badOutput)
        let (missingStatus, missingOutput) = try run(binary, ["infer", "--weights", folder + "/none.safetensors", "--data", dataFolder, "--device", "cpu"])
        XCTAssertNotEqual(missingStatus, 0)
        XCTAssertFalse(missingStatus == 132 || missingStatus == 134, missingOutput)
    }

    /// An MNIST-style folder whose test set is `test` (and whose training set is its first sample).
    private func writeTestFolder(_ test: Dataset) throws -> String {
        let path = folder + "/data"
        try IDXFolder.write(at: path, trainPixels: Array(test.pixels.prefix(784)), trainLabels: [test.labels[0]],
                            testPixels: Array(test.pixels), testLabels: Array(test.labels))
        return path
    }

    private func run(_ binary: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
