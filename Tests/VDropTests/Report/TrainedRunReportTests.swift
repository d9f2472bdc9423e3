import Foundation
@testable import VDrop
import XCTest

/// A real (tiny) training run records what the report and TensorBoard show: per-layer
/// metrics every epoch, test errors only where --eval-every says, histograms at the
/// initialization, every --histogram-every epochs and the end; and the report draws them.
final class TrainedRunReportTests: TemporaryFolderTestCase {
    /// Records what the trainer reports.
    final class Recorder: TrainingObserver {
        var records: [EpochRecord] = []
        var snapshots: [HistogramSnapshot] = []
        func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) {}
        func epochFinished(_ record: EpochRecord) { records.append(record) }
        func note(_ message: String) {}
        func histogramsTaken(_ snapshot: HistogramSnapshot) { snapshots.append(snapshot) }
    }

    func testARunRecordsPerLayerMetricsHistogramsAndItsReport() throws {
        let data = try RunSafetyTests.slice.get()
        let run = folder + "/run"
        var configuration = TrainingConfiguration()
        configuration.model = .lenet300
        configuration.objective = .ard
        configuration.epochs = 3
        configuration.batch = 50
        configuration.decayFrom = 2
        configuration.annealEpochs = 1
        configuration.seed = 3
        configuration.logEvery = 5
        // With 1000 samples the regularizer over 266k weights would swamp the data term (see TrainingRunTests).
        configuration.regularizerScale = 0.02
        let trainer = try Trainer(configuration: configuration, data: data, backend: TestBackends.cpu, outputDirectory: run)
        trainer.evaluateEvery = 2
        trainer.histogramEvery = 2
        let recorder = Recorder()
        trainer.observer = recorder
        let result = try trainer.run()

        let lines = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONDecoder().decode(EpochRecord.self, from: Data($0.utf8)) }
        XCTAssertEqual(records, recorder.records, "metrics.jsonl holds what the observer saw")
        XCTAssertEqual(records.map { $0.testError == nil }, [true, false, false], "evaluated every 2 epochs and after the last")
        XCTAssertFalse(lines[0].contains("test_error"), "a skipped evaluation leaves no test error in the line")
        XCTAssertEqual(records.last?.testError, result.evaluation.errorPercent)

        // The last epoch's metrics are those of the final weights.
        let parameters = try TestBackends.cpu.download(trainer.network.arena.parameters)
        let rules = LayerMetrics.Rules(run: .mu(threshold: 0.01))
        XCTAssertEqual(records.last?.layers, LayerMetrics.measure(network: trainer.network, parameters: parameters, rules: rules))
        XCTAssertEqual(records.last?.layers?.map(\.layer), ["dense1", "dense2", "dense3"])
        for (layer, sparsity) in zip(records.last!.layers!, result.evaluation.layers) {
            XCTAssertEqual(layer.keptMu, sparsity.keptFraction, "the kept fraction under the run's rule is the evaluation's")
        }
        // An epoch without evaluation still records its compression, counted as Evaluator counts.
        let first = records[0].layers!
        let kept = first.reduce(0.0) { $0 + ($1.keptMu * Double($1.weights)).rounded() }
        XCTAssertEqual(records[0].compression, Double(first.reduce(0) { $0 + $1.weights }) / kept, accuracy: 1e-9)

        let log = try HistogramLog(contentsOf: run + "/histograms.json")
        XCTAssertEqual(log.snapshots.map(\.epoch), [0, 2, 3])
        XCTAssertEqual(log.snapshots, recorder.snapshots)
        XCTAssertEqual(log.snapshots.last, HistogramSnapshot.measure(epoch: 3, network: trainer.network, parameters: parameters, rules: rules))
        XCTAssertEqual(log.snapshots[0].layers.map(\.logAlpha.count), [235_200, 30_000, 1000], "every weight counted")

        // The report: the test error where it was measured, and the first layer's pixel map.
        let figures = try Report.build(paths: [run]).figures
        let error = try SVGReader(try XCTUnwrap(figures.first { $0.name == "error" }).svg)
        XCTAssertEqual(try XCTUnwrap(error.series("run test")).numbers("data-x"), [2, 3])
        XCTAssertEqual(try XCTUnwrap(error.series("run test")).numbers("data-y"), records.compactMap(\.testError))
        let map = try SVGReader(try XCTUnwrap(figures.first { $0.name == "survivors-dense1" }).svg)
        let counts = try XCTUnwrap(map.all(className: "pixel-map").first).numbers("data-counts").map(Int.init)
        let dense1 = trainer.network.weightLayers[0].weightRange
        var expected = [Int](repeating: 0, count: 784)
        for i in dense1 where abs(parameters[i]) >= 0.01 { expected[(i - dense1.lowerBound) % 784] += 1 }
        XCTAssertEqual(counts, expected, "each pixel's count is the kept weights of its column of dense1's [300, 784] θ")
    }
}
