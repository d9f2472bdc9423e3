import Foundation
@testable import VDrop
import XCTest

/// A file PyTorch's exporter wrote (torch.onnx.export, PyTorch 2.15, opset 13: a small LeNet-5
/// whose BatchNorm the exporter folded into the second conv), read by vdrop and run on the
/// reference forward, against onnxruntime's logits for the same input.
final class ONNXPyTorchFileTests: XCTestCase {
    static let file = FuzzInputTests.fuzzFolder.appendingPathComponent("corpus/ONNX/valid-torch-lenet5-exported.onnx")

    func testAPyTorchExportReadsAndComputesOnnxruntimesLogits() throws {
        let model = try InferenceModel(onnx: Data(contentsOf: Self.file), file: Self.file.lastPathComponent)
        XCTAssertEqual(model.sampleShape, [1, 12, 12])
        XCTAssertEqual(model.provenance.model, "pytorch")
        XCTAssertEqual(model.stages.map { stage -> String in
            switch stage {
            case .dense(let d): return d.name
            case .conv(let c): return c.name
            case .relu: return "relu"
            case .maxPool: return "pool"
            case .batchNorm(let b): return b.name
            }
        }, ["conv1", "relu", "pool", "/conv2/Conv", "relu", "pool", "fc1", "relu", "fc2"],
           "names from PyTorch's weights (conv1.weight), or the node's where the exporter folded BatchNorm in")
        let input = (0..<144).map { Float($0 % 13) / 13 - 0.5 }
        // onnxruntime 1.32 (CPU) on the same file and input.
        let expected: [Float] = [-0.3833681643009186, -0.08419869095087051, 0.07748186588287354]
        for (got, want) in zip(model.referenceLogits(samples: input, count: 1), expected) {
            // Float32 inputs and weights, sums in Double here and in float32 there: a few ulps apart.
            XCTAssertEqual(got, want, accuracy: 1e-6 + 1e-5 * abs(want))
        }
    }
}
