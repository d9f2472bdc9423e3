import Foundation

extension InferenceModel {
    /// Reads an ONNX model (a serialized ModelProto) back into a network: the graphs
    /// `onnxModel(producerVersion:)` writes, and the same chains of operators as PyTorch's
    /// exporter writes them (see `ONNXStageReader`).
    ///
    /// The graph must be one chain: a float input [batch, sample…], each node taking the previous
    /// node's output as its first input and constants (initializers) as the others, the last
    /// node's output the graph's one output. The provenance comes from vdrop's metadata_props;
    /// a file without them (another exporter's) gets the producer's name as its model, trim
    /// "none" and the compression of its zeros.
    ///
    /// A damaged, hostile or unsupported file is a `ModelFileError` naming `file` and what is wrong.
    public init(onnx data: Data, file: String) throws {
        let reader = ProtobufReader([UInt8](data), file: file, context: "ModelProto")
        let model = try ONNXModelMessage(reader)
        guard let graph = model.graph else {
            throw ModelFileError(file: file, problem: "is not an ONNX model: it holds no graph (ModelProto field 7).")
        }
        guard model.opsets.contains(where: { ["", "ai.onnx"].contains($0.domain) }) else {
            throw ModelFileError(file: file, problem: "imports no version of ONNX's standard operator set (opset_import with domain \"\"); it is not an ONNX model vdrop can read.")
        }
        guard !graph.hasSparseInitializers else {
            throw ModelFileError(file: file, problem: "stores sparse initializers, which vdrop does not read; export the weights dense.")
        }
        let dataInputs = graph.inputs.filter { graph.initializers[$0.name] == nil }
        guard dataInputs.count == 1, let input = dataInputs.first else {
            throw ModelFileError(file: file, problem: "has \(dataInputs.count) graph inputs besides its initializers; vdrop reads networks of one input.")
        }
        let sampleShape = try Self.onnxSampleShape(input, file: file)
        guard graph.outputs.count == 1, let output = graph.outputs.first else {
            throw ModelFileError(file: file, problem: "has \(graph.outputs.count) graph outputs; vdrop reads networks with one output, the logits.")
        }
        var stages = ONNXStageReader(file: file, initializers: graph.initializers, sampleShape: sampleShape)
        var current = input.name
        for node in graph.nodes {
            guard ["", "ai.onnx"].contains(node.domain) else {
                throw ModelFileError(file: file, problem: "node \"\(node.name)\" (\(node.opType)) is from the operator domain \"\(node.domain)\"; vdrop reads ONNX's standard operators only.")
            }
            guard node.inputs.first == current, node.outputs.count == 1 else {
                throw ModelFileError(file: file, problem: "node \"\(node.name)\" (\(node.opType)) does not continue a chain from \"\(current)\" to one output; vdrop reads graphs that are one chain of operators.")
            }
            try stages.read(node)
            current = node.outputs[0]
        }
        guard current == output.name else {
            throw ModelFileError(file: file, problem: "its output \"\(output.name)\" is not the last node's output \"\(current)\".")
        }
        guard !stages.stages.isEmpty else {
            throw ModelFileError(file: file, problem: "holds no layer (no Gemm, MatMul, Conv, Relu, MaxPool or BatchNormalization); there is no network to run.")
        }
        guard stages.shape.count == 1, stages.shape[0] >= 1 else {
            throw ModelFileError(file: file, problem: "ends in a value of shape \(stages.shape) per sample, not a vector of class scores.")
        }
        var result = InferenceModel(sampleShape: sampleShape, inputSelection: stages.inputSelection, stages: stages.stages,
                                    provenance: Provenance(model: "", trim: "", compression: 1))
        result.provenance = Self.onnxProvenance(model, computedFrom: result)
        self = result
    }

    /// True when `data` starts as an ONNX ModelProto does: field 1 (ir_version) as a small
    /// varint, then another field's key (never a 0 byte), as every writer (vdrop, PyTorch's
    /// exporter, onnx.save) puts ir_version first. A safetensors file starts with its 8-byte
    /// little-endian header length and then "{", which this tells apart.
    public static func looksLikeONNX(_ data: Data) -> Bool {
        let bytes = [UInt8](data.prefix(9))
        guard bytes.count >= 3, bytes[0] == 0x08, (1...20).contains(bytes[1]), bytes[2] != 0 else { return false }
        return !(bytes.count == 9 && bytes[8] == UInt8(ascii: "{"))
    }

    /// One sample's shape from the input's declared [batch, …] dims: known, positive, bounded.
    private static func onnxSampleShape(_ input: ONNXValueInfoMessage, file: String) throws -> [Int] {
        guard input.elementType == ONNXSchema.Tensor.DataType.float.rawValue else {
            throw ModelFileError(file: file, problem: "its input \"\(input.name)\" has element type \(input.elementType), not float32 (1).")
        }
        guard let dimensions = input.dimensions, dimensions.count >= 2 else {
            throw ModelFileError(file: file, problem: "its input \"\(input.name)\" declares no shape [batch, …] of two or more dimensions.")
        }
        var shape: [Int] = [], size = 1
        for dimension in dimensions.dropFirst() {
            // 2^28 values per sample is far beyond any image vdrop trains on and keeps every product in range.
            guard case .value(let value) = dimension, value >= 1, value <= 1 << 28, size * Int(value) <= 1 << 28 else {
                throw ModelFileError(file: file, problem: "its input \"\(input.name)\" has the sample dimensions \(dimensions.dropFirst()); vdrop needs fixed sizes of 1 to 2^28 values in all.")
            }
            size *= Int(value)
            shape.append(Int(value))
        }
        return shape
    }

    private static func onnxProvenance(_ model: ONNXModelMessage, computedFrom network: InferenceModel) -> Provenance {
        let counts = network.weightCounts
        let zerosCompression = Double(counts.total) / Double(max(counts.nonZero, 1))
        let metadata = model.metadata
        let compression = metadata[ONNXSchema.Metadata.compression].flatMap(Double.init).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let producer = model.producerName.isEmpty ? "onnx" : model.producerName
        return Provenance(model: metadata[ONNXSchema.Metadata.model] ?? producer, trim: metadata[ONNXSchema.Metadata.trim] ?? "none",
                          compression: compression ?? zerosCompression,
                          testErrorPercent: metadata[ONNXSchema.Metadata.testErrorPercent].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil })
    }
}
