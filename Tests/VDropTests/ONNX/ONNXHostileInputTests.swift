import Foundation
@testable import VDrop
import XCTest

/// Damaged, hostile and unsupported ONNX files are sentences (`ModelFileError` naming the file),
/// never a trap, and the sentence says what is wrong.
final class ONNXHostileInputTests: XCTestCase {
    private func assertSentence(_ data: Data, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try InferenceModel(onnx: data, file: "bad.onnx"), file: file, line: line) { error in
            guard let error = error as? ModelFileError else { return XCTFail("not a ModelFileError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.file, "bad.onnx", file: file, line: line)
            XCTAssertTrue(error.problem.contains(expected), "\(error.problem)", file: file, line: line)
        }
    }

    private typealias W = ONNXWireEditing

    /// A one-Gemm model whose weight tensor is `weight`.
    private func gemmModel(_ weight: W.Tensor) -> Data {
        W.model(inputDims: [3], nodes: [W.Node(op: "Gemm", inputs: ["input", "w"], output: "logits", ints: [("transB", 1)])],
                initializers: [weight])
    }

    /// A cut inside any field is a sentence; a cut that happens to fall after the graph and the
    /// opset (before the metadata) is a whole model of the same stages.
    func testEveryTruncationIsASentence() throws {
        let model = ONNXTestModels.vgglike()
        let data = try model.onnxModel(producerVersion: "test")
        var sentences = 0, cuts = 0
        for length in stride(from: 0, to: data.count, by: max(1, data.count / 150)) {
            cuts += 1
            do {
                let decoded = try InferenceModel(onnx: data.prefix(length), file: "cut.onnx")
                XCTAssertEqual(decoded.stages, model.stages, "cut at \(length)")
            } catch {
                XCTAssertTrue(error is ModelFileError, "cut at \(length): \(error)")
                sentences += 1
            }
        }
        XCTAssertGreaterThanOrEqual(sentences, cuts - 2)
    }

    func testWireFormatDamage() {
        assertSentence(Data([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]), "varint")
        assertSentence(Data([0x08, 0xFF]), "varint runs past the end")
        assertSentence(Data([0x3A, 0x10, 0x00]), "declares 16 bytes, but only 1 remain")
        assertSentence(Data([0x0B]), "wire type 3")
        assertSentence(Data([0x00]), "field number 0")
        assertSentence(Data([0x3A, 0x02, 0x0A, 0x05]), "declares 5 bytes")
        assertSentence(Data([0x3A, 0x00]), "imports no version")
        assertSentence(Data(), "holds no graph")
    }

    func testNestingIsBounded() throws {
        var reader = ProtobufReader([0x0A, 0x00], file: "deep", context: "m")
        for level in 0..<ProtobufReader.maximumDepth { reader = try reader.message([], context: "level\(level)") }
        XCTAssertThrowsError(try reader.message([], context: "one more")) { error in
            XCTAssertTrue("\(error)".contains("nest more than 32"), "\(error)")
        }
    }

    func testTensorDamage() {
        let raw = W.floatBytes([Float](repeating: 0.5, count: 6))
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [2, 3], raw: Array(raw.dropLast()))), "23 bytes of raw_data")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [-2, 3], raw: raw)), "negative dimension -2")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [Int64.max, 3], raw: raw)), "overflows")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [1 << 40, 1 << 40], raw: raw)), "overflows")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [2, 3], dataType: 11, raw: raw + raw)), "data type 11")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [2, 3], dataType: 7, raw: raw + raw)), "not float32")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [2, 3], raw: W.floatBytes([1, 2, .nan, 4, 5, 6]))), "non-finite")
        assertSentence(gemmModel(W.Tensor(name: "w", dims: [2, 4], raw: W.floatBytes([Float](repeating: 1, count: 8)))),
                       "takes 4 inputs, but its input holds 3")
    }

    func testUnsupportedGraphsAreNamed() {
        let weight = W.Tensor(name: "w", dims: [2, 3], raw: W.floatBytes([Float](repeating: 0.5, count: 6)))
        assertSentence(W.model(inputDims: [3], nodes: [W.Node(op: "Softmax", inputs: ["input"], output: "logits")], initializers: []),
                       "not Softmax")
        assertSentence(W.model(inputDims: [3], nodes: [W.Node(op: "Gemm", inputs: ["input", "missing"], output: "logits")], initializers: []),
                       "\"missing\" is not an initializer")
        assertSentence(W.model(inputDims: [3], nodes: [W.Node(op: "Gemm", inputs: ["elsewhere", "w"], output: "logits")], initializers: [weight]),
                       "does not continue a chain")
        assertSentence(W.model(inputDims: [3], nodes: [W.Node(op: "Gemm", inputs: ["input", "w"], output: "y", ints: [("transB", 1)])],
                               initializers: [weight]), "is not the last node's output")
        assertSentence(W.model(inputDims: [3], nodes: [W.Node(op: "Gemm", inputs: ["input", "w"], output: "logits", ints: [("transA", 1)])],
                               initializers: [weight]), "transA 0 only")
        assertSentence(W.model(inputDims: [-1], nodes: [], initializers: []), "fixed sizes")
        assertSentence(W.model(inputDims: [3], nodes: [], initializers: [], output: "input"), "holds no layer")
        assertSentence(W.model(inputDims: [1 << 20, 1 << 20], nodes: [], initializers: []), "fixed sizes")
        assertSentence(W.model(inputDims: [1, 4, 4], nodes: [W.Node(op: "MaxPool", inputs: ["input"], output: "logits",
                                                                       ints: [("ceil_mode", 1)])], initializers: []), "MaxPool 2×2")
        assertSentence(W.model(inputDims: [1, 4, 4], nodes: [W.Node(op: "Relu", inputs: ["input"], output: "logits")], initializers: []),
                       "not a vector of class scores")
        let indices = W.Tensor(name: "i", dims: [2], dataType: 7, raw: [3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        assertSentence(W.model(inputDims: [4], nodes: [W.Node(op: "Gather", inputs: ["input", "i"], output: "logits", ints: [("axis", 1)])],
                               initializers: [indices]), "must ascend")
    }

    /// A file named .onnx that is not one is a sentence from `load`, as any damaged export is.
    func testLoadOfAWrongONNXFileIsASentence() throws {
        let path = NSTemporaryDirectory() + "vdrop-onnx-\(UUID().uuidString).onnx"
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try InferenceModel.load(contentsOf: path)) { error in
            XCTAssertTrue(error is ModelFileError, "\(error)")
        }
    }
}
