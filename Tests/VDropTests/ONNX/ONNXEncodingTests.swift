import Foundation
@testable import VDrop
import XCTest

/// The encoder's bytes, read field by field with onnx.proto's numbers: what onnxruntime and
/// the onnx checker will see (the script scripts/check-onnx.py runs those on real models).
final class ONNXEncodingTests: XCTestCase {
    /// Every field of one message, in order.
    private func fields(_ bytes: ArraySlice<UInt8>) throws -> [(field: Int, value: ProtobufReader.Value)] {
        var reader = ProtobufReader(Array(bytes), file: "test", context: "message")
        var all: [(Int, ProtobufReader.Value)] = []
        while let next = try reader.nextField() { all.append(next) }
        return all
    }

    private func messages(_ field: Int, in message: [(field: Int, value: ProtobufReader.Value)]) -> [ArraySlice<UInt8>] {
        message.compactMap { if $0.field == field, case .bytes(let b) = $0.value { return b } else { return nil } }
    }

    private func strings(_ field: Int, in message: [(field: Int, value: ProtobufReader.Value)]) -> [String] {
        messages(field, in: message).map { String(decoding: $0, as: UTF8.self) }
    }

    private func varints(_ field: Int, in message: [(field: Int, value: ProtobufReader.Value)]) -> [Int64] {
        message.compactMap { if $0.field == field, case .varint(let v) = $0.value { return Int64(bitPattern: v) } else { return nil } }
    }

    private func graph(of model: InferenceModel) throws -> (model: [(field: Int, value: ProtobufReader.Value)], graph: [(field: Int, value: ProtobufReader.Value)]) {
        let top = try fields(ArraySlice(try model.onnxModel(producerVersion: "1.2.3")))
        let graphs = messages(7, in: top)
        XCTAssertEqual(graphs.count, 1)
        return (top, try fields(graphs.first ?? []))
    }

    private func opTypes(_ graph: [(field: Int, value: ProtobufReader.Value)]) throws -> [String] {
        try messages(1, in: graph).map { try strings(4, in: fields($0)).first ?? "?" }
    }

    func testTheModelHeaderIsIRVersion7Opset13WithProvenance() throws {
        let data = try ONNXTestModels.lenet300().onnxModel(producerVersion: "1.2.3")
        XCTAssertEqual(Array(data.prefix(2)), [0x08, 0x07], "ir_version (field 1, varint) = 7 comes first")
        let top = try fields(ArraySlice(data))
        XCTAssertEqual(varints(1, in: top), [7])
        XCTAssertEqual(strings(2, in: top), ["vdrop"])
        XCTAssertEqual(strings(3, in: top), ["1.2.3"])
        let opsets = try messages(8, in: top).map(fields)
        XCTAssertEqual(opsets.count, 1)
        XCTAssertEqual(opsets.first.map { strings(1, in: $0) }, [""])
        XCTAssertEqual(opsets.first.map { varints(2, in: $0) }, [13])
        let metadata = try messages(14, in: top).map(fields).map { (strings(1, in: $0).first ?? "", strings(2, in: $0).first ?? "") }
        XCTAssertEqual(metadata.map(\.0), ["vdrop.model", "vdrop.trim", "vdrop.compression", "vdrop.test_error_percent"])
        XCTAssertEqual(metadata.map(\.1), ["lenet300", "mu:0.01", "52.25", "1.87"])
        XCTAssertTrue(strings(6, in: top).first?.contains("lenet300 exported by vdrop: trimmed with mu:0.01, compression 52.2×") == true, "doc_string: \(strings(6, in: top))")
    }

    func testNodesComeInTheStagesOrder() throws {
        XCTAssertEqual(try opTypes(graph(of: ONNXTestModels.lenet300()).graph), ["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm"])
        XCTAssertEqual(try opTypes(graph(of: ONNXTestModels.lenet5()).graph),
                       ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"])
        XCTAssertEqual(try opTypes(graph(of: ONNXTestModels.vgglike()).graph),
                       ["Conv", "BatchNormalization", "Relu", "Conv", "BatchNormalization", "Relu", "MaxPool",
                        "Flatten", "Gemm", "BatchNormalization", "Relu", "Gemm"])
        XCTAssertEqual(try opTypes(graph(of: ONNXTestModels.compactLenet300()).graph),
                       ["Flatten", "Gather", "Gemm", "Relu", "Gemm", "Relu", "Gemm"])
    }

    func testInitializersCarryDimsTypeAndLittleEndianValues() throws {
        let model = ONNXTestModels.lenet300()
        guard case .dense(let dense1) = model.stages[0] else { return XCTFail("lenet300 starts dense") }
        let initializers = try messages(5, in: graph(of: model).graph).map(fields)
        XCTAssertEqual(initializers.map { strings(8, in: $0).first ?? "" },
                       ["dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias", "dense3.weight", "dense3.bias"])
        let weight = try XCTUnwrap(initializers.first)
        XCTAssertEqual(varints(1, in: weight), [20, 36], "dims [out, in], as PyTorch's Linear")
        XCTAssertEqual(varints(2, in: weight), [1], "FLOAT")
        let raw = try XCTUnwrap(messages(9, in: weight).first)
        XCTAssertEqual(raw.count, 4 * 720)
        let first = raw.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        XCTAssertEqual(Float(bitPattern: first), dense1.weight[0])

        let compact = try messages(5, in: graph(of: ONNXTestModels.compactLenet300()).graph).map(fields)
        let selection = try XCTUnwrap(compact.first)
        XCTAssertEqual(strings(8, in: selection), ["input_selection"])
        XCTAssertEqual(varints(1, in: selection), [9])
        XCTAssertEqual(varints(2, in: selection), [7], "INT64")
        XCTAssertEqual(messages(9, in: selection).first?.count, 72)
    }

    func testInputAndOutputHaveASymbolicBatch() throws {
        let (_, graph) = try graph(of: ONNXTestModels.lenet5())
        for (field, name, sample) in [(11, "input", [1, 12, 12]), (12, "logits", [3])] {
            let info = try fields(try XCTUnwrap(messages(field, in: graph).first))
            XCTAssertEqual(strings(1, in: info), [name])
            let tensorType = try fields(XCTUnwrap(messages(1, in: fields(XCTUnwrap(messages(2, in: info).first))).first))
            XCTAssertEqual(varints(1, in: tensorType), [1], "float")
            let dims = try messages(1, in: fields(XCTUnwrap(messages(2, in: tensorType).first))).map(fields)
            XCTAssertEqual(dims.first.map { strings(2, in: $0) }, ["batch"])
            XCTAssertEqual(dims.dropFirst().map { varints(1, in: $0).first ?? -1 }, sample.map(Int64.init))
        }
        let nodes = try messages(1, in: graph).map(fields)
        XCTAssertEqual(nodes.last.map { strings(2, in: $0) }, ["logits"])
        let gemm = try XCTUnwrap(nodes.first { strings(4, in: $0) == ["Gemm"] })
        let attributes = try messages(5, in: gemm).map(fields)
        let transB = try XCTUnwrap(attributes.first { strings(1, in: $0) == ["transB"] })
        XCTAssertEqual(varints(3, in: transB), [1])
    }
}
