import Foundation
@testable import VDrop

/// ONNX files written by hand, field by field with `ProtobufWriter` and the field numbers of
/// onnx.proto, not with vdrop's encoder: other exporters' spellings and damaged files.
enum ONNXWireEditing {
    struct Node {
        var op: String
        var inputs: [String]
        var output: String
        var ints: [(String, Int64)] = []
    }

    struct Tensor {
        var name: String
        var dims: [Int64]
        var dataType: Int64 = 1
        var raw: [UInt8]
    }

    static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// A ModelProto (IR 8, opset 13, producer "torch") of one graph: input float [batch, inputDims…],
    /// the nodes and initializers given, output `output`.
    static func model(inputDims: [Int64], nodes: [Node], initializers: [Tensor], output: String = "logits") -> Data {
        var model = ProtobufWriter()
        model.int64(1, 8)
        model.string(2, "torch")
        model.message(7) { graph in
            for node in nodes {
                graph.message(1) { n in
                    for input in node.inputs { n.string(1, input) }
                    n.string(2, node.output)
                    n.string(3, "/\(node.op)")
                    n.string(4, node.op)
                    for (name, value) in node.ints { n.message(5) { a in a.string(1, name); a.int64(3, value); a.int64(20, 2) } }
                }
            }
            graph.string(2, "torch_jit")
            for tensor in initializers {
                graph.message(5) { t in
                    for dim in tensor.dims { t.int64(1, dim) }
                    t.int64(2, tensor.dataType)
                    t.string(8, tensor.name)
                    t.bytes(9, tensor.raw)
                }
            }
            for (field, name, dims) in [(11, "input", inputDims), (12, output, [])] {
                graph.message(field) { v in
                    v.string(1, name)
                    v.message(2) { type in type.message(1) { t in
                        t.int64(1, 1)
                        t.message(2) { shape in
                            shape.message(1) { $0.string(2, "batch") }
                            for dim in dims { shape.message(1) { $0.int64(1, dim) } }
                        }
                    } }
                }
            }
        }
        model.message(8) { $0.string(1, ""); $0.int64(2, 13) }
        return Data(model.bytes)
    }

    enum DenseSpelling { case matMulAdd, gemmWithoutTranspose }

    /// One Linear layer as PyTorch may write it, W given as [inputs, outputs].
    static func singleDenseModel(inputs: Int, outputs: Int, weightInOut: [Float], bias: [Float], spelling: DenseSpelling) -> Data {
        let tensors = [Tensor(name: "fc.weight", dims: [Int64(inputs), Int64(outputs)], raw: floatBytes(weightInOut)),
                       Tensor(name: "fc.bias", dims: [Int64(outputs)], raw: floatBytes(bias))]
        let nodes: [Node]
        switch spelling {
        case .matMulAdd:
            nodes = [Node(op: "MatMul", inputs: ["input", "fc.weight"], output: "product"),
                     Node(op: "Add", inputs: ["product", "fc.bias"], output: "logits")]
        case .gemmWithoutTranspose:
            nodes = [Node(op: "Gemm", inputs: ["input", "fc.weight", "fc.bias"], output: "logits", ints: [("transB", 0)])]
        }
        return model(inputDims: [Int64(inputs)], nodes: nodes, initializers: tensors)
    }

    /// `data` with the given top-level fields dropped, the others copied as they are.
    static func removingTopLevelFields(_ fields: Set<Int>, from data: Data) throws -> Data {
        var reader = ProtobufReader([UInt8](data), file: "test", context: "ModelProto")
        var writer = ProtobufWriter()
        while let (field, value) = try reader.nextField() {
            guard !fields.contains(field) else { continue }
            switch value {
            case .varint(let raw): writer.int64(field, Int64(bitPattern: raw))
            case .fixed64(let raw): writer.double(field, Double(bitPattern: raw))
            case .fixed32(let raw): writer.float(field, Float(bitPattern: raw))
            case .bytes(let bytes): writer.bytes(field, Array(bytes))
            }
        }
        return Data(writer.bytes)
    }
}
