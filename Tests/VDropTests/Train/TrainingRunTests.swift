import Foundation
import VDrop
import XCTest

/// End-to-end runs on a slice of the real Fashion-MNIST: training works, resuming is
/// exact, and damaged files and diverging runs end with a sentence, not a crash.
final class TrainingRunTests: TemporaryFolderTestCase {
    static let slice: Result<DataSplit, Error> = Result {
        guard FileManager.default.fileExists(atPath: DataSource.defaultDirectory) else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let full = try DataSource.load(directory: nil, model: .lenet300)
        return DataSplit(train: full.train.prefix(3000), test: full.test.prefix(1000), source: full.source)
    }

    private func configuration(epochs: Int, objective: ObjectiveKind = .ard) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = .lenet300
        c.objective = objective
        c.epochs = epochs
        c.batch = 50
        c.decayFrom = Double(epochs) / 2
        c.annealEpochs = 1
        c.seed = 5
        c.logEvery = 10
        // With N = 3000 the regularizer over 266k weights outweighs N·CE by ~100×; scale it
        // down so a 4-epoch run on the slice both learns and prunes (the full set needs no scaling).
        c.regularizerScale = 0.02
        return c
    }

    private final class Recorder: TrainingObserver {
        var records: [EpochRecord] = []
        var losses: [Double] = []
        func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) { losses.append(loss.dataTerm) }
        func epochFinished(_ record: EpochRecord) { records.append(record) }
        func note(_ message: String) {}
    }

    func testAShortRunLearnsAndPrunes() throws {
        let data = try Self.slice.get()
        let trainer = try Trainer(configuration: configuration(epochs: 4), data: data, backend: TestBackends.cpu, outputDirectory: folder)
        let recorder = Recorder()
        trainer.observer = recorder
        let result = try trainer.run()
        XCTAssertEqual(recorder.records.count, 4)
        XCTAssertLessThan(recorder.records.last!.dataTerm, recorder.losses.first! * 0.5, "the data term falls")
        XCTAssertLessThan(result.evaluation.errorPercent, 40, "better than guessing among 10 classes by far")
        XCTAssertGreaterThan(result.evaluation.compression, 1.05, "ARD prunes some weights")
        XCTAssertEqual(result.evaluation.layers.map(\.layer), ["dense1", "dense2", "dense3"])
        // The files a run leaves: one metrics line per epoch, results, a loadable checkpoint.
        let lines = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].contains("\"test_error\"") && lines[0].contains("\"compression\""))
        let results = try JSONDecoder().decode(TrainingResult.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
        XCTAssertEqual(results.evaluation, result.evaluation)
        let checkpoint = try Checkpoint(contentsOf: folder + "/checkpoint.safetensors")
        XCTAssertEqual(checkpoint.epoch, 4)
        XCTAssertEqual(checkpoint.tensors["dense1.theta"]?.shape, [300, 784])
        XCTAssertEqual(checkpoint.tensors["dense1.log_sigma2"]?.shape, [300, 784])
        XCTAssertEqual(checkpoint.tensors["dense3.bias"]?.shape, [10])
    }

    /// A run stopped after epoch 2 of 3 and resumed ends with the same bits as one that never stopped.
    func testResumeEqualsAnUninterruptedRun() throws {
        let data = try Self.slice.get()
        let whole = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: folder + "/whole")
        _ = try whole.run()
        let wholeParameters = try whole.network.backend.download(whole.network.arena.parameters)

        // "Killed" during epoch 3: only the checkpoint of epoch 2 is left.
        let first = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: folder + "/resumed")
        try first.runEpochs(upTo: 2)
        let second = try Trainer(configuration: configuration(epochs: 3), data: data, backend: TestBackends.cpu, outputDirectory: folder + "/resumed")
        let path = folder + "/resumed/checkpoint.safetensors"
        try second.resume(from: try Checkpoint(contentsOf: path), file: path)
        XCTAssertEqual(second.completedEpochs, 2)
        let result = try second.run()
        XCTAssertEqual(result.epochs, 3)
        let resumedParameters = try second.network.backend.download(second.network.arena.parameters)
        XCTAssertEqual(resumedParameters, wholeParameters, "resumed weights differ from the uninterrupted run's")
        let lines = try String(contentsOfFile: folder + "/resumed/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "metrics continue in the same file")
    }

    func testResumingWithOtherSettingsIsRefused() throws {
        let data = try Self.slice.get()
        let first = try Trainer(configuration: configuration(epochs: 1), data: data, backend: TestBackends.cpu, outputDirectory: folder)
        _ = try first.run()
        var other = configuration(epochs: 1)
        other.learningRate = 5e-4
        let second = try Trainer(configuration: other, data: data, backend: TestBackends.cpu, outputDirectory: folder)
        let path = folder + "/checkpoint.safetensors"
        XCTAssertThrowsError(try second.resume(from: try Checkpoint(contentsOf: path), file: path)) { error in
            XCTAssertTrue("\(error)".contains("other settings"), "\(error)")
        }
    }

    func testCorruptedCheckpointsAreRejectedWithTheirName() throws {
        let data = try Self.slice.get()
        _ = try Trainer(configuration: configuration(epochs: 1), data: data, backend: TestBackends.cpu, outputDirectory: folder).run()
        let path = folder + "/checkpoint.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let damaged = folder + "/damaged.safetensors"
        for (what, content) in [("truncated", bytes.prefix(bytes.count / 2)), ("empty", Data()),
                                ("garbage header", Data([16, 0, 0, 0, 0, 0, 0, 0]) + Data(repeating: 0x41, count: 16)),
                                ("absurd header length", Data([255, 255, 255, 255, 0, 0, 0, 0]) + bytes.dropFirst(8))] {
            try content.write(to: URL(fileURLWithPath: damaged))
            XCTAssertThrowsError(try Checkpoint(contentsOf: damaged), what) { error in
                XCTAssertTrue("\(error)".contains(damaged), "\(what): \(error)")
            }
        }
        // A valid safetensors file that is not a vdrop checkpoint.
        try SafeTensors.encode([.init(name: "x", shape: [1], values: [1])], metadata: [:]).write(to: URL(fileURLWithPath: damaged))
        XCTAssertThrowsError(try Checkpoint(contentsOf: damaged)) { error in
            XCTAssertTrue("\(error)".contains("not a vdrop checkpoint"), "\(error)")
        }
    }

    /// NaN in the loss stops the run with a sentence and leaves the last good checkpoint.
    func testANaNStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let data = try Self.slice.get()
        _ = try Trainer(configuration: configuration(epochs: 2), data: data, backend: TestBackends.cpu, outputDirectory: folder).runEpochs(upTo: 1)
        let path = folder + "/checkpoint.safetensors"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // The same run continued on poisoned data (a NaN normalization): the first step's loss is NaN.
        let poisonedTrain = Dataset(name: "poisoned", sampleShape: [1, 28, 28], pixels: data.train.pixels, scale: [.nan], shift: [0],
                                    labels: data.train.labels, classes: 10)
        let poisoned = DataSplit(train: poisonedTrain, test: data.test, source: "poisoned")
        let trainer = try Trainer(configuration: configuration(epochs: 2), data: poisoned, backend: TestBackends.cpu, outputDirectory: folder)
        try trainer.resume(from: try Checkpoint(contentsOf: path), file: path)
        XCTAssertThrowsError(try trainer.run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("NaN or infinite") && text.contains(path), text)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), good, "the last good checkpoint is untouched")
    }

    func testInvalidSettingsAreSentences() throws {
        var c = configuration(epochs: 1)
        c.objective = .gamma
        c.gammaA = 0.5
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("a > 1/2"), "\($0)") }
        c.gammaA = 0.51
        c.gammaB = -1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("b ≥ 0"), "\($0)") }
        c = configuration(epochs: 1)
        c.learningRate = 0
        XCTAssertThrowsError(try c.validate()) { XCTAssertEqual(namedSettings($0), [.learningRate], "\($0)") }
        c = configuration(epochs: 1)
        XCTAssertThrowsError(try c.validate(trainingSetSize: 20)) { XCTAssertTrue("\($0)".contains("larger than the training set"), "\($0)") }
        XCTAssertThrowsError(try TrimRule(parsing: "median")) { XCTAssertTrue("\($0)".contains("not a trimming rule"), "\($0)") }
    }

    func testScheduleFollowsThePaper() {
        var c = TrainingConfiguration()
        c.epochs = 200
        c.decayFrom = 100
        c.annealEpochs = 20
        let schedule = TrainingSchedule(configuration: c, stepsPerEpoch: 600)
        XCTAssertEqual(schedule.learningRate(atStep: 0), 1e-3)
        XCTAssertEqual(schedule.learningRate(atStep: 100 * 600), 1e-3)
        XCTAssertEqual(schedule.learningRate(atStep: 150 * 600), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(atStep: 200 * 600 - 1), 1e-3 / 60_000, accuracy: 1e-9)
        XCTAssertEqual(schedule.beta(atStep: 0), 0)
        XCTAssertEqual(schedule.beta(atStep: 10 * 600), 0.5, accuracy: 1e-6)
        XCTAssertEqual(schedule.beta(atStep: 10 * 600 + 300), 0.525, accuracy: 1e-6, "β rises every step, not every epoch")
        XCTAssertEqual(schedule.learningRate(atStep: 150 * 600 + 300), 4.95e-4, accuracy: 1e-9, "lr falls every step")
        XCTAssertEqual(schedule.beta(atStep: 30 * 600), 1)
        XCTAssertEqual(schedule.regularizerScale, 1)
        c.model = .vgglike
        XCTAssertEqual(TrainingSchedule(configuration: c, stepsPerEpoch: 500).regularizerScale, 0.05)
    }

    /// Evaluation trims a copy: the parameters are as they were afterwards, `mu:0` keeps every
    /// weight, and a larger threshold keeps fewer; counts agree with the rule applied by hand.
    func testEvaluationTrimsWithoutChangingTheNetwork() throws {
        let data = try Self.slice.get()
        let trainer = try Trainer(configuration: configuration(epochs: 1), data: data, backend: TestBackends.cpu, outputDirectory: nil)
        try trainer.runEpochs(upTo: 1)
        let backend = trainer.network.backend
        let before = try backend.download(trainer.network.arena.parameters)
        let all = try Evaluator.evaluate(network: trainer.network, data: trainer.test, rule: .mu(threshold: 0))
        XCTAssertEqual(all.compression, 1)
        let trimmed = try Evaluator.evaluate(network: trainer.network, data: trainer.test, rule: .mu(threshold: 0.05))
        XCTAssertEqual(try backend.download(trainer.network.arena.parameters), before, "evaluation changed the parameters")
        let w = trainer.network.arena.weightCount
        let kept = before[0..<w].filter { abs($0) >= 0.05 }.count
        XCTAssertEqual(trimmed.layers.reduce(0) { $0 + $1.kept }, kept)
        XCTAssertEqual(trimmed.compression, Double(w) / Double(kept), accuracy: 1e-9)
        let byLogAlpha = try Evaluator.evaluate(network: trainer.network, data: trainer.test, rule: .logAlpha(threshold: 3))
        let keptByLogAlpha = (0..<w).filter { before[$0] != 0 && before[w + $0] - log(before[$0] * before[$0]) < 3 }.count
        XCTAssertEqual(byLogAlpha.layers.reduce(0) { $0 + $1.kept }, keptByLogAlpha)
        XCTAssertEqual(all.samples, data.test.count)
    }

    func testShuffleIsAPermutationFixedBySeedAndEpoch() {
        let a = DeviceDataset.shuffledOrder(count: 1000, seed: 3, epoch: 0)
        XCTAssertEqual(Set(a.map(Int.init)), Set(0..<1000))
        XCTAssertEqual(a, DeviceDataset.shuffledOrder(count: 1000, seed: 3, epoch: 0))
        XCTAssertNotEqual(a, DeviceDataset.shuffledOrder(count: 1000, seed: 3, epoch: 1))
        XCTAssertNotEqual(a, DeviceDataset.shuffledOrder(count: 1000, seed: 4, epoch: 0))
    }

    /// A uniform shuffle leaves a sample in its place 1 time in n. Over 400 epochs of 10 samples each
    /// position keeps its own sample about 40 times (the bounds are 5 standard deviations wide); a
    /// shuffle that draws j below i instead of up to i (Sattolo's cycles) never does.
    func testShuffleLeavesEachSampleInPlaceAsOftenAsChanceDoes() {
        var stays = [Int](repeating: 0, count: 10)
        for epoch in 0..<400 {
            for (position, sample) in DeviceDataset.shuffledOrder(count: 10, seed: 3, epoch: epoch).enumerated() where Int(sample) == position {
                stays[position] += 1
            }
        }
        XCTAssertTrue(stays.allSatisfy { (10...70).contains($0) }, "times each position kept its sample in 400 epochs: \(stays)")
    }
}
