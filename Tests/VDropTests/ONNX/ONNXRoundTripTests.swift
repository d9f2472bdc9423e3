import Foundation
@testable import VDrop
import XCTest

/// An ONNX file vdrop writes reads back as the same network, stage for stage and bit for bit,
/// and computes the same logits; the file is read through `InferenceModel.load` like any other.
final class ONNXRoundTripTests: TemporaryFolderTestCase {
    func testEachShapeReadsBackAsTheSameModel() throws {
        for (name, model) in ONNXTestModels.all {
            let data = try model.onnxModel(producerVersion: "test")
            let decoded = try InferenceModel(onnx: data, file: "\(name).onnx")
            XCTAssertEqual(decoded, model, name)
            let samples = ONNXTestModels.samples(for: model, count: 3)
            XCTAssertEqual(decoded.referenceLogits(samples: samples, count: 3), model.referenceLogits(samples: samples, count: 3), name)
        }
    }

    func testTheCompactModelKeepsItsInputSelection() throws {
        let model = ONNXTestModels.compactLenet300()
        let decoded = try InferenceModel(onnx: model.onnxModel(producerVersion: "test"), file: "compact.onnx")
        XCTAssertEqual(decoded.inputSelection, [0, 3, 7, 8, 14, 20, 21, 30, 35])
        XCTAssertEqual(decoded.stageInputShape, [9])
    }

    func testLoadRecognizesAnONNXFileByNameAndByContent() throws {
        let model = ONNXTestModels.lenet5()
        let data = try model.onnxModel(producerVersion: "test")
        for name in ["model.onnx", "model.bin"] {
            let path = folder + "/" + name
            try data.write(to: URL(fileURLWithPath: path))
            XCTAssertEqual(try InferenceModel.load(contentsOf: path), model, name)
        }
        XCTAssertTrue(InferenceModel.looksLikeONNX(data))
    }

    /// A safetensors file's first bytes (its header length, then "{") are not taken for ONNX, even
    /// when the length's first byte is ONNX's 0x08.
    func testASafetensorsHeaderIsNotTakenForONNX() {
        XCTAssertFalse(InferenceModel.looksLikeONNX(Data([0x08, 0x05, 0, 0, 0, 0, 0, 0]) + Data("{\"a\":1}".utf8)))
        XCTAssertFalse(InferenceModel.looksLikeONNX(Data([0x7B, 0x22])))
        XCTAssertFalse(InferenceModel.looksLikeONNX(Data()))
    }

    /// A file without vdrop's metadata (another exporter's) gets its provenance from what it holds.
    func testAFileWithoutMetadataGetsItsProvenanceFromItsWeights() throws {
        var model = ONNXTestModels.lenet300()
        let data = try model.onnxModel(producerVersion: "test")
        let stripped = try ONNXWireEditing.removingTopLevelFields([ONNXSchema.Model.metadataProps], from: data)
        let decoded = try InferenceModel(onnx: stripped, file: "other.onnx")
        let counts = model.weightCounts
        model.provenance = .init(model: "vdrop", trim: "none", compression: Double(counts.total) / Double(counts.nonZero))
        XCTAssertEqual(decoded, model)
    }

    /// PyTorch's other spelling of a Linear layer, MatMul by W [in, out] and then Add of the bias,
    /// and Gemm without transB, read as the same dense stage.
    func testMatMulAddAndGemmWithoutTransposeReadAsDense() throws {
        let model = ONNXTestModels.lenet300()
        guard case .dense(let first) = model.stages[0] else { return XCTFail("lenet300 starts dense") }
        var transposed = [Float](repeating: 0, count: first.weight.count)
        for o in 0..<first.outputs { for i in 0..<first.inputs { transposed[i * first.outputs + o] = first.weight[o * first.inputs + i] } }
        var expected = first
        expected.name = "fc"  // from the weight "fc.weight", as PyTorch names a Linear's parameters
        for spelling in [ONNXWireEditing.DenseSpelling.matMulAdd, .gemmWithoutTranspose] {
            let data = ONNXWireEditing.singleDenseModel(inputs: first.inputs, outputs: first.outputs, weightInOut: transposed,
                                                        bias: first.bias, spelling: spelling)
            let decoded = try InferenceModel(onnx: data, file: "torch.onnx")
            XCTAssertTrue(decoded.stages == [.dense(expected)], "\(spelling): read as \(decoded.stages.count) stages, not the one dense stage written")
            XCTAssertEqual(decoded.sampleShape, [first.inputs])
        }
    }
}
