import Foundation
@testable import VDrop
import XCTest

/// `InferenceModel.compaction()` on networks built with known dead neurons and channels, and on
/// real trimmed checkpoints: the compact network's logits equal the trimmed network's (the
/// Double reference forward of each; only the folded biases are rounded differently, so 1e-4
/// relative is far more than enough), and the counts of what went are the ones built in.
final class CompactionTests: XCTestCase {
    static let provenance = InferenceModel.Provenance(model: "test", trim: "mu:0.01", compression: 1)

    static func dense(_ name: String, _ inputs: Int, _ outputs: Int, seed: UInt64, edit: (inout [Float], inout [Float]) -> Void = { _, _ in }) -> InferenceModel.Stage {
        var weight = testValues(inputs * outputs, seed: seed), bias = testValues(outputs, seed: seed + 100)
        edit(&weight, &bias)
        return .dense(.init(name: name, inputs: inputs, outputs: outputs, weight: weight, bias: bias))
    }

    static func conv(_ name: String, _ inChannels: Int, _ outChannels: Int, padding: Int, seed: UInt64,
                     edit: (inout [Float], inout [Float]) -> Void = { _, _ in }) -> InferenceModel.Stage {
        var weight = testValues(outChannels * inChannels * 9, seed: seed), bias = testValues(outChannels, seed: seed + 100)
        edit(&weight, &bias)
        return .conv(.init(name: name, inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: padding, weight: weight, bias: bias))
    }

    /// Compacts `model`, checks the logits on 16 samples, and returns what was removed.
    @discardableResult
    static func assertCompactionIsExact(_ model: InferenceModel, _ what: String, file: StaticString = #filePath, line: UInt = #line)
        throws -> (InferenceModel, InferenceModel.CompactionSummary) {
        let (compact, summary) = model.compaction()
        let samples = testValues(16 * model.sampleShape.reduce(1, *), seed: 77, in: 0...1)
        let expected = model.referenceLogits(samples: samples, count: 16)
        assertClose(compact.referenceLogits(samples: samples, count: 16), expected, atol: 1e-5, rtol: 1e-4, what, file: file, line: line)
        XCTAssertEqual(compact.compacted(), compact, "\(what): compacting again changes nothing", file: file, line: line)
        for layer in summary.layers {
            XCTAssertEqual(layer.unitsBefore - layer.unread - layer.constant, layer.unitsAfter, "\(what): \(layer.name)", file: file, line: line)
        }
        XCTAssertEqual(summary.layers.last?.unitsAfter, model.classes, "\(what): the classes stay", file: file, line: line)
        return (compact, summary)
    }

    func testDeadDenseNeuronsAndUnreadInputsGoAndConstantsAreFolded() throws {
        let model = InferenceModel(sampleShape: [1, 2, 3], stages: [
            Self.dense("dense1", 6, 5, seed: 1) { w, b in
                for o in 0..<5 { w[o * 6 + 3] = 0 }       // input 3: read by no kept weight
                for i in 0..<6 { w[6 + i] = 0; w[12 + i] = 0 }
                b[1] = 0.7                                 // neuron 1: constant relu(0.7), folded
                b[2] = -0.3                                // neuron 2: constant relu(-0.3) = 0
            },
            .relu,
            Self.dense("dense2", 5, 4, seed: 2) { w, _ in
                for o in 0..<4 { w[o * 5] = 0 }           // dense1's neuron 0: read by nothing
                for i in [0, 2, 3, 4] { w[3 * 5 + i] = 0 } // neuron 3 reads only dense1's neuron 1,
            },                                             // so it turns constant once that is folded
            .relu,
            Self.dense("dense3", 4, 3, seed: 3),
        ], provenance: Self.provenance)
        let (compact, summary) = try Self.assertCompactionIsExact(model, "dense")
        XCTAssertEqual(compact.inputSelection, [0, 1, 2, 4, 5])
        XCTAssertEqual(summary.inputsBefore, 6)
        XCTAssertEqual(summary.inputsAfter, 5)
        XCTAssertEqual(summary.layers.map(\.unitsAfter), [2, 3, 3])
        XCTAssertEqual(summary.layers.map(\.unread), [1, 0, 0])
        XCTAssertEqual(summary.layers.map(\.constant), [2, 1, 0])
        XCTAssertLessThan(compact.parameterCount, model.parameterCount)
    }

    func testAConstantGoesThroughBatchNormAndItsChannelsFollow() throws {
        let bn = InferenceModel.BatchNorm(name: "bn1", gamma: [1.5, 1.5, 0.8], beta: [0.1, 0.1, -0.2], mean: [0.5, 0.5, 0.1],
                                          variance: [0.25, 0.25, 2], epsilon: 1e-5)
        let model = InferenceModel(sampleShape: [1, 2, 2], stages: [
            Self.dense("dense1", 4, 3, seed: 4) { w, b in
                for i in 0..<4 { w[i] = 0; w[4 + i] = 0 }
                b[0] = 0.2  // (0.2 − 0.5)/0.5·1.5 + 0.1 = −0.8, through ReLU 0
                b[1] = 0.9  // (0.9 − 0.5)/0.5·1.5 + 0.1 = 1.3, folded into dense2's bias
            },
            .batchNorm(bn), .relu,
            Self.dense("dense2", 3, 2, seed: 5),
        ], provenance: Self.provenance)
        let (compact, summary) = try Self.assertCompactionIsExact(model, "batchnorm")
        XCTAssertEqual(summary.layers[0].constant, 2)
        guard case .batchNorm(let kept) = compact.stages[1] else { return XCTFail("the BatchNorm stage stays: \(compact.stages)") }
        XCTAssertEqual(kept.gamma, [0.8])
        XCTAssertEqual(kept.mean, [0.1])
        XCTAssertNil(compact.inputSelection, "every input is still read")
    }

    /// conv → conv: unpadded, a constant channel folds exactly; padded, it must stay unless it is 0.
    func testConvChannelsFoldOnlyWhereTheNextConvolutionIsUnpadded() throws {
        func model(padding: Int) -> InferenceModel {
            let size = padding == 0 ? 2 : 4
            return InferenceModel(sampleShape: [2, 6, 6], stages: [
                Self.conv("conv1", 2, 4, padding: 0, seed: 6) { w, b in
                    for i in 0..<18 { w[i] = 0; w[36 + i] = 0 }  // channels 0 and 2: no incoming weight
                    b[0] = 0.5
                    b[2] = -0.4                                  // relu(−0.4) = 0: removable even before a padded conv
                },
                .relu,
                Self.conv("conv2", 4, 2, padding: padding, seed: 7) { w, _ in
                    for o in 0..<2 { for t in 0..<9 { w[(o * 4 + 1) * 9 + t] = 0 } }  // conv1's channel 1: unread
                },
                .relu,
                Self.dense("dense1", 2 * size * size, 2, seed: 8),
            ], provenance: Self.provenance)
        }
        let (unpadded, foldedSummary) = try Self.assertCompactionIsExact(model(padding: 0), "conv→conv, unpadded")
        XCTAssertEqual(foldedSummary.layers[0].unitsAfter, 1, "channel 0 folded, 1 unread, 2 zero, 3 stays")
        XCTAssertEqual(foldedSummary.layers[0].unread, 1)
        XCTAssertEqual(foldedSummary.layers[0].constant, 2)
        guard case .conv(let next) = unpadded.stages[2] else { return XCTFail("conv2 stays") }
        XCTAssertEqual(next.inChannels, 1)
        let (_, paddedSummary) = try Self.assertCompactionIsExact(model(padding: 1), "conv→conv, padded")
        XCTAssertEqual(paddedSummary.layers[0].unitsAfter, 2, "the constant channel 0 stays before a padded convolution")
        XCTAssertEqual(paddedSummary.layers[0].constant, 1)
        XCTAssertEqual(paddedSummary.inputsAfter, 72, "a convolution's input is never cut")
    }

    func testConvChannelsBeforeADenseLayerGoThroughMaxPool() throws {
        let model = InferenceModel(sampleShape: [1, 6, 6], stages: [
            Self.conv("conv1", 1, 3, padding: 1, seed: 9) { w, b in
                for t in 0..<9 { w[9 + t] = 0 }  // channel 1: constant relu(0.3), max-pooled, folded
                b[1] = 0.3
            },
            .relu, .maxPool,
            Self.dense("dense1", 27, 2, seed: 10) { w, _ in
                for o in 0..<2 { for p in 0..<9 { w[o * 27 + p] = 0 } }  // channel 0's plane: unread
            },
        ], provenance: Self.provenance)
        let (compact, summary) = try Self.assertCompactionIsExact(model, "conv→pool→dense")
        XCTAssertEqual(summary.layers[0].unread, 1)
        XCTAssertEqual(summary.layers[0].constant, 1)
        guard case .dense(let dense) = compact.stages[3] else { return XCTFail("dense1 stays") }
        XCTAssertEqual(dense.inputs, 9)
    }

    /// Trimmed checkpoints of LeNet-300 and LeNet-5 (seeded weights, 4% of each layer kept).
    func testTrimmedCheckpointsCompactExactly() throws {
        for model in [ModelKind.lenet300, .lenet5] {
            let (trimmed, _) = try Self.trimmedCheckpoint(model)
            let (compact, summary) = try Self.assertCompactionIsExact(trimmed, model.rawValue)
            XCTAssertLessThan(compact.parameterCount, trimmed.parameterCount, "\(model): \(summary)")
            XCTAssertGreaterThan(summary.layers.reduce(0) { $0 + $1.unread + $1.constant }, 0, "\(model): \(summary)")
            XCTAssertLessThanOrEqual(compact.weightCounts.nonZero, trimmed.weightCounts.nonZero)
        }
    }

    /// A checkpoint of `model` with seeded weights, and its network trimmed as a trained ARD
    /// network is: log σ² set so that log α = log σ² − log θ² is 0 for a random 4% of each
    /// layer's weights (kept by logalpha:3) and 10 for the rest.
    static func trimmedCheckpoint(_ model: ModelKind) throws -> (InferenceModel, Checkpoint) {
        let network = try Network(model: model, batch: 1, backend: TestBackends.cpu)
        try network.initializeParameters(seed: 11)
        var configuration = TrainingConfiguration()
        configuration.model = model
        configuration.trim = .logAlpha(threshold: 3)
        var checkpoint = try Checkpoint(network: network, configuration: configuration, epoch: 0, step: 0)
        for (index, name) in checkpoint.tensors.keys.filter({ $0.hasSuffix(".theta") }).sorted().enumerated() {
            let key = String(name.dropLast(".theta".count))
            guard let theta = checkpoint.tensors[name]?.values else { continue }
            let draw = testValues(theta.count, seed: 900 + UInt64(index), in: 0...1)
            checkpoint.tensors["\(key).log_sigma2"]?.values = theta.indices.map { log(max(theta[$0] * theta[$0], 1e-30)) + (draw[$0] < 0.04 ? 0 : 10) }
        }
        return (try InferenceModel(checkpoint: checkpoint, rule: .logAlpha(threshold: 3), file: "\(model).safetensors"), checkpoint)
    }
}
