/// Collects an ONNX graph's nodes and initializers in order and writes them as a GraphProto.
/// Values are named as they are produced; the encoder (`InferenceModel.onnxModel`) decides
/// which operators a stage becomes, this type only how they are spelled on the wire.
struct ONNXGraphBuilder {
    enum AttributeValue {
        case int(Int64)
        case ints([Int64])
        case float(Float)
    }

    struct Node {
        var opType: String
        var name: String
        var inputs: [String]
        var output: String
        var attributes: [(name: String, value: AttributeValue)]
    }

    /// A constant tensor, written as raw little-endian bytes (ONNX's `raw_data`).
    struct Initializer {
        var name: String
        var dims: [Int]
        var dataType: ONNXSchema.Tensor.DataType
        var rawData: [UInt8]
    }

    private(set) var nodes: [Node] = []
    private(set) var initializers: [Initializer] = []

    mutating func addFloats(_ name: String, dims: [Int], _ values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "initializer \(name): \(values.count) values for dims \(dims)")
        var raw: [UInt8] = []
        raw.reserveCapacity(4 * values.count)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        initializers.append(Initializer(name: name, dims: dims, dataType: .float, rawData: raw))
        return name
    }

    mutating func addInt64s(_ name: String, dims: [Int], _ values: [Int]) -> String {
        precondition(dims.reduce(1, *) == values.count, "initializer \(name): \(values.count) values for dims \(dims)")
        var raw: [UInt8] = []
        raw.reserveCapacity(8 * values.count)
        for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
        initializers.append(Initializer(name: name, dims: dims, dataType: .int64, rawData: raw))
        return name
    }

    /// Appends a node reading `inputs` and returns the name of its one output (`output`, or the node's name).
    mutating func addNode(_ opType: String, name: String, inputs: [String], output: String? = nil,
                          attributes: [(name: String, value: AttributeValue)] = []) -> String {
        let outputName = output ?? name
        nodes.append(Node(opType: opType, name: name, inputs: inputs, output: outputName, attributes: attributes))
        return outputName
    }

    /// GraphProto: nodes, name, initializers, the input [batch, sample…] and output [batch, classes],
    /// both float with a symbolic batch dimension.
    func encode(into graph: inout ProtobufWriter, name: String, inputShape: [Int], outputShape: [Int]) {
        typealias Field = ONNXSchema.Graph
        for node in nodes { graph.message(Field.node) { Self.encode(node, into: &$0) } }
        graph.string(Field.name, name)
        for initializer in initializers { graph.message(Field.initializer) { Self.encode(initializer, into: &$0) } }
        graph.message(Field.input) { Self.encodeValueInfo(ONNXSchema.inputName, sampleShape: inputShape, into: &$0) }
        graph.message(Field.output) { Self.encodeValueInfo(ONNXSchema.outputName, sampleShape: outputShape, into: &$0) }
    }

    private static func encode(_ node: Node, into writer: inout ProtobufWriter) {
        typealias Field = ONNXSchema.Node
        for input in node.inputs { writer.string(Field.input, input) }
        writer.string(Field.output, node.output)
        writer.string(Field.name, node.name)
        writer.string(Field.opType, node.opType)
        for attribute in node.attributes {
            writer.message(Field.attribute) { a in
                typealias A = ONNXSchema.Attribute
                a.string(A.name, attribute.name)
                switch attribute.value {
                case .int(let value):
                    a.int64(A.i, value)
                    a.int64(A.type, Int64(A.Kind.int.rawValue))
                case .ints(let values):
                    for value in values { a.int64(A.ints, value) }
                    a.int64(A.type, Int64(A.Kind.ints.rawValue))
                case .float(let value):
                    a.float(A.f, value)
                    a.int64(A.type, Int64(A.Kind.float.rawValue))
                }
            }
        }
    }

    private static func encode(_ initializer: Initializer, into writer: inout ProtobufWriter) {
        typealias Field = ONNXSchema.Tensor
        for dim in initializer.dims { writer.int64(Field.dims, Int64(dim)) }
        writer.int64(Field.dataType, Int64(initializer.dataType.rawValue))
        writer.string(Field.name, initializer.name)
        writer.bytes(Field.rawData, initializer.rawData)
    }

    /// ValueInfoProto of a float tensor [batch, sampleShape…], batch named "batch".
    private static func encodeValueInfo(_ name: String, sampleShape: [Int], into writer: inout ProtobufWriter) {
        writer.string(ONNXSchema.ValueInfo.name, name)
        writer.message(ONNXSchema.ValueInfo.type) { type in
            type.message(ONNXSchema.TypeProto.tensorType) { tensor in
                tensor.int64(ONNXSchema.TensorType.elementType, Int64(ONNXSchema.Tensor.DataType.float.rawValue))
                tensor.message(ONNXSchema.TensorType.shape) { shape in
                    shape.message(ONNXSchema.TensorShape.dimension) { $0.string(ONNXSchema.Dimension.parameter, "batch") }
                    for size in sampleShape {
                        shape.message(ONNXSchema.TensorShape.dimension) { $0.int64(ONNXSchema.Dimension.value, Int64(size)) }
                    }
                }
            }
        }
    }
}
