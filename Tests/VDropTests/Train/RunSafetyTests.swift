import Foundation
import VDrop
import XCTest

/// Nothing a user trained is lost: a stopped run saves every step and resumes bit for bit, a
/// folder holding a run is not overwritten, a resume on other data or settings is refused, and
/// the leftovers of a killed run (extra metrics lines, temporary files) are cleaned up.
final class RunSafetyTests: TemporaryFolderTestCase {
    /// A small slice: 1000 training samples in 20 steps of 50 per epoch.
    static let slice: Result<DataSplit, Error> = Result {
        let data = try TrainingRunTests.slice.get()
        return DataSplit(train: data.train.prefix(1000), test: data.test.prefix(300), source: data.source)
    }

    func configuration(epochs: Int, parameterization: Parameterization = .logSigma) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = .lenet300
        c.objective = .svdo
        c.epochs = epochs
        c.batch = 50
        c.decayFrom = 1
        c.annealEpochs = 1
        c.seed = 9
        c.logEvery = 7
        c.regularizerScale = 0.02
        c.parameterization = parameterization
        return c
    }

    /// Stops the trainer it watches once `afterSteps` steps have been read back.
    final class Stopper: TrainingObserver {
        let request = StopRequest()
        var seen = 0
        let afterSteps: Int
        init(afterSteps: Int) { self.afterSteps = afterSteps }
        func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) {
            seen += 1
            if seen == afterSteps { request.request() }
        }
        func epochFinished(_ record: EpochRecord) {}
        func note(_ message: String) {}
    }

    /// Ctrl-C in the middle of epoch 2: the checkpoint holds every step done, and the resumed
    /// run ends with the same weights and the same metrics as a run that never stopped.
    func testAStopMidEpochSavesEveryStepAndResumesBitForBit() throws {
        let data = try Self.slice.get()
        let whole = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu,
                                outputDirectory: folder + "/whole")
        _ = try whole.run()
        let expected = try TestBackends.cpu.download(whole.network.arena.parameters)

        let path = folder + "/stopped"
        let first = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: path)
        // Read back after steps 7, 14 and 20 of each epoch: the 5th read is after step 14 of epoch 2,
        // so the run stops before step 15 of epoch 2, with 20 + 14 steps done.
        let stopper = Stopper(afterSteps: 5)
        first.observer = stopper
        first.stopRequest = stopper.request
        XCTAssertThrowsError(try first.run()) { error in
            guard let interrupted = error as? TrainingInterrupted else { return XCTFail("\(error)") }
            XCTAssertEqual(interrupted.epoch, 1)
            XCTAssertEqual(interrupted.step, 34, "stopped at the step boundary after the request")
            XCTAssertEqual(interrupted.checkpoint, path + "/checkpoint.safetensors")
        }
        let checkpoint = try Checkpoint(contentsOf: path + "/checkpoint.safetensors")
        XCTAssertEqual(checkpoint.epoch, 1)
        XCTAssertEqual(checkpoint.step, 34)
        XCTAssertEqual(checkpoint.partialEpoch?.steps, 14)

        let second = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: path)
        try second.resume(from: checkpoint, file: path + "/checkpoint.safetensors")
        _ = try second.run()
        XCTAssertEqual(try TestBackends.cpu.download(second.network.arena.parameters), expected,
                       "the resumed run's weights differ from the uninterrupted run's")
        func metrics(_ run: String) throws -> [EpochRecord] {
            try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map {
                var record = try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8))
                record.seconds = 0
                record.imagesPerSecond = 0
                return record
            }
        }
        XCTAssertEqual(try metrics(path), try metrics(folder + "/whole"), "metrics of the resumed run differ")
        XCTAssertEqual(try HistogramLog(contentsOf: path + "/histograms.json"), try HistogramLog(contentsOf: folder + "/whole/histograms.json"),
                       "histograms of the resumed run differ")
    }

    /// A kill after an epoch's metrics line was appended but before its checkpoint was renamed
    /// leaves metrics one epoch ahead (and perhaps half a line); resuming cuts them back.
    func testResumeCutsMetricsBackToTheCheckpoint() throws {
        let data = try Self.slice.get()
        let path = folder + "/run"
        _ = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: path).runEpochs(upTo: 1)
        let metrics = path + "/metrics.jsonl"
        let line = try String(contentsOfFile: metrics, encoding: .utf8)
        try (line + line.replacingOccurrences(of: "\"epoch\":1", with: "\"epoch\":2") + "{\"epoch\":3,\"lr\"").write(toFile: metrics, atomically: true, encoding: .utf8)
        try Data("orphan".utf8).write(to: URL(fileURLWithPath: path + "/checkpoint.safetensors.tmp-999999999"))

        let resumed = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "/checkpoint.safetensors.tmp-999999999"),
                       "the temporary file of a dead process is left")
        try resumed.resume(from: try Checkpoint(contentsOf: path + "/checkpoint.safetensors"), file: path + "/checkpoint.safetensors")
        XCTAssertEqual(try String(contentsOfFile: metrics, encoding: .utf8), line, "metrics were not cut back to epoch 1")
        _ = try resumed.run()
        let epochs = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)).epoch
        }
        XCTAssertEqual(epochs, [1, 2, 3])
    }

    func testAFolderHoldingARunIsNotOverwrittenUnlessForced() throws {
        let data = try Self.slice.get()
        let path = folder + "/run"
        _ = try Trainer(configuration: configuration(epochs: 1), data: data, backend: TestBackends.cpu, outputDirectory: path).run()
        XCTAssertThrowsError(try RunFolder(path).prepareForNewRun(force: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("already holds a run") && namedSettings(error) == [.resume, .force], text)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/checkpoint.safetensors"))
        try RunFolder(path).prepareForNewRun(force: true)
        XCTAssertEqual(RunFolder(path).runFiles, [])
        try RunFolder(folder + "/empty").prepareForNewRun(force: false)
    }

    func testResumingOnOtherDataOrParameterizationIsRefused() throws {
        let data = try Self.slice.get()
        let path = folder + "/run"
        _ = try Trainer(configuration: configuration(epochs: 1), data: data, backend: TestBackends.cpu, outputDirectory: path).run()
        let file = path + "/checkpoint.safetensors"
        let checkpoint = try Checkpoint(contentsOf: file)
        XCTAssertEqual(checkpoint.data, data.identity)
        XCTAssertEqual(checkpoint.configuration.parameterization, .logSigma)

        // The same sizes, one pixel changed.
        var pixels = data.train.pixels
        pixels[500] ^= 1
        let changed = DataSplit(train: Dataset(name: "x", sampleShape: [1, 28, 28], pixels: pixels, scale: data.train.scale,
                                               shift: data.train.shift, labels: data.train.labels, classes: 10),
                                test: data.test, source: "changed")
        let other = try Trainer(configuration: configuration(epochs: 2), data: changed, backend: TestBackends.cpu, outputDirectory: path)
        XCTAssertThrowsError(try other.resume(from: checkpoint, file: file)) { error in
            XCTAssertTrue("\(error)".contains("other data") && namedSettings(error) == [.data, .data], "\(error)")
        }
        let otherParameterization = try Trainer(configuration: configuration(epochs: 2, parameterization: .logSigma2), data: data,
                                                backend: TestBackends.cpu, outputDirectory: path)
        XCTAssertThrowsError(try otherParameterization.resume(from: checkpoint, file: file)) { error in
            XCTAssertTrue("\(error)".contains("parameterization: log-sigma in the checkpoint, log-sigma2 now"), "\(error)")
        }
    }

    /// A checkpoint written before the choice existed trained log σ²: it reads as log-sigma2.
    func testAConfigurationWithoutParameterizationReadsAsLogSigma2() throws {
        var json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(configuration(epochs: 1))) as! [String: Any]
        json["parameterization"] = nil
        json["alpha"] = nil
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: try JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(decoded.parameterization, .logSigma2)
        XCTAssertEqual(decoded.alpha, TrainingConfiguration().alpha, "a missing field takes its default")
        XCTAssertEqual(decoded.epochs, 1)
        XCTAssertEqual(TrainingConfiguration().parameterization, .logSigma, "the paper's log σ is the default")
    }

    /// Evaluation batches by what exists: a batch larger than twice the test set works and
    /// counts each sample once; an empty test set is a sentence.
    func testEvaluationWithABatchLargerThanTheTestSet() throws {
        let data = try Self.slice.get()
        let small = DataSplit(train: data.train, test: data.test.prefix(7), source: data.source)
        // The trainer's network has batch 50, more than twice the 7 test samples.
        let trainer = try Trainer(configuration: configuration(epochs: 1), data: small, backend: TestBackends.cpu, outputDirectory: nil)
        let exact = try Network(model: .lenet300, batch: 7, backend: TestBackends.cpu)
        try TestBackends.cpu.upload(try TestBackends.cpu.download(trainer.network.arena.parameters), to: exact.arena.parameters)
        let reference = try Evaluator.evaluate(network: exact, data: trainer.test, rule: .mu(threshold: 0.01))
        let result = try Evaluator.evaluate(network: trainer.network, data: trainer.test, rule: .mu(threshold: 0.01))
        XCTAssertEqual(result.samples, 7)
        XCTAssertEqual(result.errorPercent, reference.errorPercent)
        XCTAssertEqual(result.compression, reference.compression)

        let empty = DataSplit(train: data.train, test: data.test.prefix(0), source: data.source)
        XCTAssertThrowsError(try Trainer(configuration: configuration(epochs: 1), data: empty, backend: TestBackends.cpu, outputDirectory: nil)) {
            XCTAssertTrue("\($0)".contains("holds no samples"), "\($0)")
        }
        XCTAssertThrowsError(try Evaluator.evaluate(network: exact, data: try DeviceDataset(data.test.prefix(0), backend: TestBackends.cpu),
                                                    rule: .mu(threshold: 0.01))) {
            XCTAssertTrue("\($0)".contains("holds no samples"), "\($0)")
        }
    }

    /// --out at a file, under /proc (not writable), or with a name too long: a sentence, no Foundation dump.
    func testAnUnusableOutputFolderIsASentence() throws {
        let file = folder + "/a-file"
        try Data().write(to: URL(fileURLWithPath: file))
        for (path, expected) in [(file, "is a file"), ("/proc/vdrop-run", "cannot be created"),
                                 (folder + "/" + String(repeating: "n", count: 300), "cannot be created")] {
            XCTAssertThrowsError(try RunFolder(path).create()) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected) && !text.contains("NSCocoaErrorDomain") && !text.contains("Error Domain"), text)
            }
        }
    }
}
