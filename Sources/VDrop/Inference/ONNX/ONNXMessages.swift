/// ONNX's messages as far as vdrop reads them, decoded from the wire with `ProtobufReader`.
/// Fields vdrop does not use are skipped; what it uses is checked here (dims, data types,
/// data sizes), so the graph reader (`InferenceModel(onnx:file:)`) works on sound values.
struct ONNXModelMessage {
    var irVersion: Int64 = 0
    var producerName = ""
    var opsets: [(domain: String, version: Int64)] = []
    var metadata: [String: String] = [:]
    var graph: ONNXGraphMessage?

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        typealias F = ONNXSchema.Model
        while let (field, value) = try reader.nextField() {
            switch field {
            case F.irVersion: irVersion = try reader.int64(value, "ir_version")
            case F.producerName: producerName = try reader.string(value, "producer_name")
            case F.graph: graph = try ONNXGraphMessage(reader.message(reader.bytes(value, "graph"), context: "graph"))
            case F.opsetImport:
                var opset = try reader.message(reader.bytes(value, "opset_import"), context: "opset_import")
                var domain = "", version: Int64 = 0
                while let (field, value) = try opset.nextField() {
                    if field == ONNXSchema.OperatorSetID.domain { domain = try opset.string(value, "domain") }
                    if field == ONNXSchema.OperatorSetID.version { version = try opset.int64(value, "version") }
                }
                opsets.append((domain, version))
            case F.metadataProps:
                var entry = try reader.message(reader.bytes(value, "metadata_props"), context: "metadata_props")
                var key = "", text = ""
                while let (field, value) = try entry.nextField() {
                    if field == ONNXSchema.StringStringEntry.key { key = try entry.string(value, "key") }
                    if field == ONNXSchema.StringStringEntry.value { text = try entry.string(value, "value") }
                }
                metadata[key] = text
            default: break
            }
        }
    }
}

struct ONNXGraphMessage {
    var nodes: [ONNXNodeMessage] = []
    var initializers: [String: ONNXTensorMessage] = [:]
    var inputs: [ONNXValueInfoMessage] = []
    var outputs: [ONNXValueInfoMessage] = []
    var hasSparseInitializers = false

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        typealias F = ONNXSchema.Graph
        while let (field, value) = try reader.nextField() {
            switch field {
            case F.node: nodes.append(try ONNXNodeMessage(reader.message(reader.bytes(value, "node"), context: "node[\(nodes.count)]")))
            case F.initializer:
                let tensor = try ONNXTensorMessage(reader.message(reader.bytes(value, "initializer"), context: "initializer[\(initializers.count)]"))
                guard initializers.updateValue(tensor, forKey: tensor.name) == nil else {
                    throw reader.error("two initializers are named \"\(tensor.name)\".")
                }
            case F.input: inputs.append(try ONNXValueInfoMessage(reader.message(reader.bytes(value, "input"), context: "input")))
            case F.output: outputs.append(try ONNXValueInfoMessage(reader.message(reader.bytes(value, "output"), context: "output")))
            case F.sparseInitializer: hasSparseInitializers = true
            default: break
            }
        }
    }
}

struct ONNXNodeMessage {
    var opType = ""
    var name = ""
    var domain = ""
    var inputs: [String] = []
    var outputs: [String] = []
    var attributes: [String: ONNXAttributeMessage] = [:]

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        typealias F = ONNXSchema.Node
        while let (field, value) = try reader.nextField() {
            switch field {
            case F.input: inputs.append(try reader.string(value, "input"))
            case F.output: outputs.append(try reader.string(value, "output"))
            case F.name: name = try reader.string(value, "name")
            case F.opType: opType = try reader.string(value, "op_type")
            case F.domain: domain = try reader.string(value, "domain")
            case F.attribute:
                let attribute = try ONNXAttributeMessage(reader.message(reader.bytes(value, "attribute"), context: "attribute"))
                attributes[attribute.name] = attribute
            default: break
            }
        }
    }
}

struct ONNXAttributeMessage {
    var name = ""
    var kind: Int32 = 0
    var float: Float?
    var int: Int64?
    var string: String?
    var ints: [Int64] = []
    var floats: [Float] = []
    /// A tensor or graph value, which no operator vdrop reads takes.
    var hasNestedValue = false

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        typealias F = ONNXSchema.Attribute
        while let (field, value) = try reader.nextField() {
            switch field {
            case F.name: name = try reader.string(value, "name")
            case F.type: kind = try reader.int32(value, "type")
            case F.f: float = try reader.float(value, "f")
            case F.i: int = try reader.int64(value, "i")
            case F.s: string = try reader.string(value, "s")
            case F.ints: ints += try reader.int64s(value, "ints")
            case F.floats: floats += try reader.floats(value, "floats")
            case F.t, F.g: hasNestedValue = true
            default: break
            }
        }
    }
}

/// A value's declared type: element type and dims (a number, a name such as "batch", or unknown).
struct ONNXValueInfoMessage {
    enum Dimension: Equatable {
        case value(Int64)
        case parameter(String)
        case unknown
    }

    var name = ""
    var elementType: Int32 = 0
    var dimensions: [Dimension]?

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        while let (field, value) = try reader.nextField() {
            if field == ONNXSchema.ValueInfo.name { name = try reader.string(value, "name") }
            guard field == ONNXSchema.ValueInfo.type else { continue }
            var type = try reader.message(reader.bytes(value, "type"), context: "type")
            while let (field, value) = try type.nextField() {
                guard field == ONNXSchema.TypeProto.tensorType else { continue }
                var tensor = try type.message(type.bytes(value, "tensor_type"), context: "tensor_type")
                while let (field, value) = try tensor.nextField() {
                    if field == ONNXSchema.TensorType.elementType { elementType = try tensor.int32(value, "elem_type") }
                    guard field == ONNXSchema.TensorType.shape else { continue }
                    var shape = try tensor.message(tensor.bytes(value, "shape"), context: "shape")
                    var dimensions: [Dimension] = []
                    while let (field, value) = try shape.nextField() {
                        guard field == ONNXSchema.TensorShape.dimension else { continue }
                        var dimension = try shape.message(shape.bytes(value, "dim"), context: "dim")
                        var parsed = Dimension.unknown
                        while let (field, value) = try dimension.nextField() {
                            if field == ONNXSchema.Dimension.value { parsed = .value(try dimension.int64(value, "dim_value")) }
                            if field == ONNXSchema.Dimension.parameter { parsed = .parameter(try dimension.string(value, "dim_param")) }
                        }
                        dimensions.append(parsed)
                    }
                    self.dimensions = dimensions
                }
            }
        }
    }
}
