import Foundation
import VDrop
import XCTest

/// `train --seeds N` as one batched network: each seed's weights, checkpoint, metrics,
/// histograms and results equal those of the seed trained alone on the same backend, bit for
/// bit; a stopped batch saves every seed, and a resumed batch equals one that never stopped.
final class SeedBatchTests: TemporaryFolderTestCase {
    /// 400 training samples: 8 steps of 50 per epoch (PoCL takes seconds per epoch of more).
    static let slice: Result<DataSplit, Error> = Result {
        let data = try TrainingRunTests.slice.get()
        return DataSplit(train: data.train.prefix(400), test: data.test.prefix(100), source: data.source)
    }

    /// The batch size of the runs: 50, or 20 for the slower OpenCL runs (then 4 steps per epoch,
    /// on the first 80 samples: PoCL takes about 0.1 s per step on the development machine).
    var batch = 50
    var model = ModelKind.lenet300

    func slice() throws -> DataSplit {
        let data = try Self.slice.get()
        return batch == 50 ? data : DataSplit(train: data.train.prefix(4 * batch), test: data.test.prefix(50), source: data.source)
    }

    func configuration(seed: UInt64, epochs: Int = 2, objective: ObjectiveKind = .ard) -> TrainingConfiguration {
        var c = TrainingConfiguration.shortRun(model: model, objective: objective, epochs: epochs, batch: batch, decayFrom: 1,
                                               annealEpochs: 1, seed: seed, logEvery: 3, regularizerScale: 0.02)
        c.trim = .paper
        return c
    }

    /// What must be equal between two runs of one seed: everything but the wall-clock times.
    struct RunFiles: Equatable {
        var checkpoint: [String: SafeTensors.Entry]
        var epoch: Int
        var step: Int
        var metrics: [EpochRecord]
        var histograms: HistogramLog
        var evaluation: EvaluationResult?
    }

    func files(_ path: String, results: Bool = true) throws -> RunFiles {
        let checkpoint = try Checkpoint(contentsOf: path + "/checkpoint.safetensors")
        let metrics = try String(contentsOfFile: path + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map {
            var record = try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8))
            record.seconds = 0
            record.imagesPerSecond = 0
            return record
        }
        let evaluation = results
            ? try JSONDecoder().decode(TrainingResult.self, from: Data(contentsOf: URL(fileURLWithPath: path + "/results.json"))).evaluation
            : nil
        return RunFiles(checkpoint: checkpoint.tensors, epoch: checkpoint.epoch, step: checkpoint.step, metrics: metrics,
                        histograms: try HistogramLog(contentsOf: path + "/histograms.json"), evaluation: evaluation)
    }

    /// Trains `seeds` alone, each into `folder/single/seed-K`; returns each one's final parameters.
    func trainAlone(_ seeds: [UInt64], backend: any Backend, epochs: Int = 2) throws -> [[Float]] {
        let data = try slice()
        return try seeds.map { seed in
            let trainer = try Trainer(configuration: configuration(seed: seed, epochs: epochs), data: data, backend: backend,
                                      outputDirectory: folder + "/single/seed-\(seed)")
            _ = try trainer.run()
            return try backend.download(trainer.network.arena.parameters)
        }
    }

    func makeBatch(_ seeds: [UInt64], backend: any Backend, under name: String, epochs: Int = 2) throws -> SeedBatchTrainer {
        let data = try slice()
        let batch = try SeedBatchTrainer(configurations: seeds.map { configuration(seed: $0, epochs: epochs) }, data: data, backend: backend)
        batch.makeTrainers(data: data, outputDirectories: seeds.map { folder + "/\(name)/seed-\($0)" })
        return batch
    }

    func assertBatchEqualsSingleRuns(on backend: any Backend) throws {
        let seeds: [UInt64] = [3, 4, 5]
        let alone = try trainAlone(seeds, backend: backend)
        let batch = try makeBatch(seeds, backend: backend, under: "batch")
        let outcomes = batch.run()
        for (index, seed) in seeds.enumerated() {
            let result = try outcomes[index].get()
            XCTAssertEqual(result.epochs, 2)
            XCTAssertEqual(try backend.download(batch.batch.networks[index].arena.parameters), alone[index],
                           "seed \(seed): batched weights differ from the seed's run alone")
            XCTAssertEqual(try files(folder + "/batch/seed-\(seed)"), try files(folder + "/single/seed-\(seed)"),
                           "seed \(seed): the batched run's files differ from its run alone")
        }
        XCTAssertNotEqual(alone[0], alone[1], "different seeds train differently")
    }

    func testBatchedSeedsEqualTheirRunsAloneOnTheCPUBackend() throws {
        try assertBatchEqualsSingleRuns(on: TestBackends.cpu)
    }

    /// LeNet-5 whole runs: its conv and dense layers, loss and update batched across the seeds
    /// on storage pooled across them (CLBlast reads it at a base offset); see also ``SeedBatchConvTests``.
    func testBatchedLeNet5SeedsEqualTheirRunsAloneOnOpenCL() throws {
        batch = 20
        model = .lenet5
        let seeds: [UInt64] = [3, 4]
        let backend = try TestBackends.openCL()
        let data = try slice()
        let small = DataSplit(train: data.train.prefix(40), test: data.test.prefix(20), source: data.source)
        let alone = try seeds.map { seed in
            let trainer = try Trainer(configuration: configuration(seed: seed, epochs: 1), data: small, backend: backend,
                                      outputDirectory: folder + "/single/seed-\(seed)")
            _ = try trainer.run()
            return try backend.download(trainer.network.arena.parameters)
        }
        let batch = try SeedBatchTrainer(configurations: seeds.map { configuration(seed: $0, epochs: 1) }, data: small, backend: backend)
        batch.makeTrainers(data: small, outputDirectories: seeds.map { folder + "/batch/seed-\($0)" })
        for (index, outcome) in batch.run().enumerated() {
            _ = try outcome.get()
            XCTAssertEqual(try backend.download(batch.batch.networks[index].arena.parameters), alone[index], "seed \(seeds[index])")
            XCTAssertEqual(try files(folder + "/batch/seed-\(seeds[index])"), try files(folder + "/single/seed-\(seeds[index])"))
        }
    }

    func testBatchedSeedsEqualTheirRunsAloneOnOpenCL() throws {
        batch = 20
        try assertBatchEqualsSingleRuns(on: try TestBackends.openCL())
    }

    /// One launch over three arenas gives every value the bits three launches give it
    /// (weights, log σ² and plain parameters, with the variance trained and clipped).
    func testTheBatchedUpdateEqualsOneUpdatePerSeed() throws {
        for backend in [TestBackends.cpu as any Backend, try TestBackends.openCL()] {
            let w = 517, plain = 23, arena = 2 * w + plain, seeds = 3
            var p = testValues(seeds * arena, seed: 1, in: -1...1)
            for s in 0..<seeds { for i in 0..<w { p[s * arena + w + i] = -9 + 4 * p[s * arena + w + i] } }
            let g = testValues(seeds * arena, seed: 2), m = testValues(seeds * arena, seed: 3, in: -0.01...0.01)
            let v = testValues(seeds * arena, seed: 4, in: 0...0.001)
            let settings = AdamSettings(learningRate: 1e-2, step: 7, regularizerWeight: 0.3, logSigma2Max: -6, parameterization: .logSigma)
            func tensors() throws -> [Tensor] { try [p, g, m, v].map { try backend.tensor($0, shape: [seeds * arena]) } }
            let batched = try tensors()
            try backend.adamUpdate(objective: .svdo, parameters: batched[0], gradients: batched[1], firstMoment: batched[2],
                                   secondMoment: batched[3], weightCount: w, seeds: seeds, settings: settings)
            let single = try tensors()
            for s in 0..<seeds {
                let slices = single.map { $0.slice(from: s * arena, shape: [arena]) }
                try backend.adamUpdate(objective: .svdo, parameters: slices[0], gradients: slices[1], firstMoment: slices[2],
                                       secondMoment: slices[3], weightCount: w, settings: settings)
            }
            for (k, name) in ["parameters", "gradients", "first moment", "second moment"].enumerated() {
                XCTAssertEqual(try backend.download(batched[k]), try backend.download(single[k]), "\(backend.name): \(name)")
            }
            XCTAssertNotEqual(try backend.download(batched[0]), p, "the update changed nothing")
        }
    }

    /// On OpenCL a batch of LeNet-300 seeds enqueues one launch per kernel for all seeds: 11, as
    /// one network's step.
    func testADenseBatchStepLaunchesEachKernelOnceForAllSeeds() throws {
        let backend = try TestBackends.openCL()
        let single = try Network(model: .lenet300, batch: 20, backend: backend)
        let batch = try SeedBatch(model: .lenet300, batch: 20, seeds: 3, backend: backend)
        func settings(_ seed: UInt64) -> StepSettings {
            StepSettings(objective: .ard, seed: seed, step: 0, datasetSize: 1000, learningRate: 1e-3, regularizerWeight: 1)
        }
        var before = backend.kernelsEnqueued
        try single.trainStep(settings(7), recordLoss: false)
        let alone = backend.kernelsEnqueued - before
        before = backend.kernelsEnqueued
        try batch.trainStep([7, 8, 9].map(settings), recordLoss: false)
        XCTAssertEqual(backend.kernelsEnqueued - before, alone, "one launch per kernel for all seeds")
        before = backend.kernelsEnqueued
        try batch.trainStep([7, 9, 11].map(settings), recordLoss: false)
        XCTAssertEqual(backend.kernelsEnqueued - before, 3 * alone - 2 * 3, "seeds that are not consecutive: dense layers seed by seed")
        try backend.synchronize()
    }

    /// σ² of three seeds' arenas in one launch equals one launch per seed, for both noises.
    func testTheBatchedVarianceEqualsOnePerSeed() throws {
        let backend = try TestBackends.openCL()
        let w = 301, arena = 2 * w + 5, seeds = 3
        let parameters = try backend.tensor(testValues(seeds * arena, seed: 5, in: -6...1), shape: [seeds * arena])
        for noise in [WeightNoise.lrt, .gaussian(alpha: 0.7)] {
            let batched = try backend.allocate([seeds * w]), single = try backend.allocate([seeds * w])
            try backend.weightVariance(theta: parameters.slice(from: 0, shape: [w]), logSigma2: parameters.slice(from: w, shape: [w]),
                                       noise: noise, into: batched.slice(from: 0, shape: [w]), seeds: seeds, arenaStride: arena, varianceStride: w)
            for s in 0..<seeds {
                try backend.weightVariance(theta: parameters.slice(from: s * arena, shape: [w]),
                                           logSigma2: parameters.slice(from: s * arena + w, shape: [w]),
                                           noise: noise, into: single.slice(from: s * w, shape: [w]))
            }
            let expected = try backend.download(single)
            XCTAssertEqual(try backend.download(batched), expected, "\(noise)")
            XCTAssertFalse(expected.contains(0), "\(noise): every seed's σ² is written")
        }
    }

    /// A stop in epoch 2 saves every seed at the same step; resumed — one seed restarted from
    /// nothing, so the seeds stand at different steps — each ends equal to its run alone.
    func testAStoppedBatchSavesEverySeedAndResumesBitForBit() throws {
        let seeds: [UInt64] = [3, 4, 5]
        _ = try trainAlone(seeds, backend: TestBackends.cpu, epochs: 3)
        let first = try makeBatch(seeds, backend: TestBackends.cpu, under: "stopped", epochs: 3)
        // Read back after steps 3, 6 and 8 of each epoch: the 5th read of seed 3 is after step 6 of epoch 2.
        let stopper = RunSafetyTests.Stopper(afterSteps: 5)
        try first.trainers[0].get().observer = stopper
        first.stopRequest = stopper.request
        for (index, outcome) in first.run().enumerated() {
            guard case .failure(let error as TrainingInterrupted) = outcome else { return XCTFail("seed \(seeds[index]): \(outcome)") }
            XCTAssertEqual(error.step, 14, "every seed stops at the step boundary after the request")
            let checkpoint = try Checkpoint(contentsOf: folder + "/stopped/seed-\(seeds[index])/checkpoint.safetensors")
            XCTAssertEqual(checkpoint.step, 14)
            XCTAssertEqual(checkpoint.partialEpoch?.steps, 6)
        }
        let second = try makeBatch(seeds, backend: TestBackends.cpu, under: "stopped", epochs: 3)
        for index in [0, 2] {
            let path = folder + "/stopped/seed-\(seeds[index])/checkpoint.safetensors"
            try second.trainers[index].get().resume(from: try Checkpoint(contentsOf: path), file: path)
        }
        for (index, outcome) in second.run().enumerated() {
            XCTAssertEqual(try outcome.get().epochs, 3, "seed \(seeds[index])")
            XCTAssertEqual(try files(folder + "/stopped/seed-\(seeds[index])"), try files(folder + "/single/seed-\(seeds[index])"),
                           "seed \(seeds[index]): the resumed batch differs from the run alone")
        }
    }

    func testSeedsOfABatchMayDifferOnlyInTheSeed() throws {
        var other = configuration(seed: 4)
        other.learningRate = 5e-4
        XCTAssertThrowsError(try SeedBatchTrainer(configurations: [configuration(seed: 3), other], data: slice(), backend: TestBackends.cpu)) {
            XCTAssertTrue("\($0)".contains("differ only in their seed"), "\($0)")
        }
    }
}
