import Foundation

extension InferenceModel {
    /// The network as a standard ONNX model (a serialized ModelProto, IR version 7, opset 13)
    /// that onnxruntime, PyTorch's importers or Netron read as they are.
    ///
    /// The graph reads `input`, float [batch, C, H, W] (`batch` symbolic), and writes `logits`,
    /// float [batch, classes]. Stages become standard operators only:
    /// - dense → Gemm(x, W, b) with transB = 1 (W stays PyTorch's [out, in]), after a Flatten
    ///   when its input is an image;
    /// - conv → Conv (stride 1, pads = padding on every side, kernel_shape [k, k]);
    /// - relu → Relu; maxPool → MaxPool 2×2 stride 2 (ONNX floors the output size, as vdrop
    ///   drops odd edges); batchNorm → BatchNormalization with the model's epsilon (inference form);
    /// - a compact network's `inputSelection` → Flatten, then Gather(axis 1) with the positions
    ///   as an int64 initializer.
    ///
    /// Weights are initializers in `raw_data` (little-endian float32), named as in PyTorch
    /// (`dense1.weight`, `bn1.running_var`, …). The provenance goes into `metadata_props`
    /// (`vdrop.model`, `vdrop.trim`, `vdrop.compression`, `vdrop.test_error_percent`) and `doc_string`.
    ///
    /// Throws `ConfigurationError` for a model ONNX cannot express as built here (a stage on a
    /// shape it does not take, repeated stage names).
    public func onnxModel(producerVersion: String) throws -> Data {
        var graph = ONNXGraphBuilder()
        var value = ONNXSchema.inputName
        var shape = sampleShape
        var names = Set<String>()
        func unique(_ name: String) throws -> String {
            guard names.insert(name).inserted else {
                throw ConfigurationError("The model names two stages \"\(name)\"; an ONNX graph needs distinct names.")
            }
            return name
        }
        func flatten() throws {
            guard shape.count > 1 else { return }
            value = graph.addNode("Flatten", name: try unique("flatten\(names.count)"), inputs: [value], attributes: [("axis", .int(1))])
            shape = [shape.reduce(1, *)]
        }
        guard !stages.isEmpty else { throw ConfigurationError("The model has no stages; there is nothing to export.") }
        if let selection = inputSelection {
            try flatten()
            let indices = graph.addInt64s("input_selection", dims: [selection.count], selection)
            value = graph.addNode("Gather", name: try unique("select_inputs"), inputs: [value, indices], attributes: [("axis", .int(1))])
            shape = [selection.count]
        }
        var reluCount = 0, poolCount = 0
        for (index, (stage, outputShape)) in zip(stages, stageOutputShapes).enumerated() {
            let output = index == stages.count - 1 ? ONNXSchema.outputName : nil
            switch stage {
            case .dense(let d):
                try flatten()
                guard shape == [d.inputs] else {
                    throw ConfigurationError("Dense stage \(d.name) takes \(d.inputs) inputs, but its input holds \(shape.reduce(1, *)).")
                }
                let weight = graph.addFloats("\(d.name).weight", dims: [d.outputs, d.inputs], d.weight)
                let bias = graph.addFloats("\(d.name).bias", dims: [d.outputs], d.bias)
                value = graph.addNode("Gemm", name: try unique(d.name), inputs: [value, weight, bias], output: output,
                                      attributes: [("alpha", .float(1)), ("beta", .float(1)), ("transB", .int(1))])
            case .conv(let c):
                guard shape.count == 3, shape[0] == c.inChannels else {
                    throw ConfigurationError("Conv stage \(c.name) takes \(c.inChannels) channels of an image, but its input is \(shape).")
                }
                let k = c.kernelSize
                let weight = graph.addFloats("\(c.name).weight", dims: [c.outChannels, c.inChannels, k, k], c.weight)
                let bias = graph.addFloats("\(c.name).bias", dims: [c.outChannels], c.bias)
                let p = Int64(c.padding)
                value = graph.addNode("Conv", name: try unique(c.name), inputs: [value, weight, bias], output: output,
                                      attributes: [("kernel_shape", .ints([Int64(k), Int64(k)])), ("pads", .ints([p, p, p, p])),
                                                   ("strides", .ints([1, 1])), ("dilations", .ints([1, 1])), ("group", .int(1))])
            case .relu:
                reluCount += 1
                value = graph.addNode("Relu", name: try unique("relu\(reluCount)"), inputs: [value], output: output)
            case .maxPool:
                guard shape.count == 3 else { throw ConfigurationError("A max-pool stage needs an image input, not \(shape).") }
                poolCount += 1
                value = graph.addNode("MaxPool", name: try unique("pool\(poolCount)"), inputs: [value], output: output,
                                      attributes: [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2]))])
            case .batchNorm(let b):
                guard shape.first == b.channels else {
                    throw ConfigurationError("BatchNorm stage \(b.name) has \(b.channels) channels, but its input is \(shape).")
                }
                let parameters = [("weight", b.gamma), ("bias", b.beta), ("running_mean", b.mean), ("running_var", b.variance)]
                    .map { graph.addFloats("\(b.name).\($0.0)", dims: [b.channels], $0.1) }
                value = graph.addNode("BatchNormalization", name: try unique(b.name), inputs: [value] + parameters, output: output,
                                      attributes: [("epsilon", .float(b.epsilon))])
            }
            shape = outputShape
        }
        guard shape.count == 1 else {
            throw ConfigurationError("The model ends in a \(shape) image, not a vector of class scores; ONNX's logits are [batch, classes].")
        }

        var model = ProtobufWriter()
        typealias Field = ONNXSchema.Model
        model.int64(Field.irVersion, ONNXSchema.irVersion)
        model.string(Field.producerName, "vdrop")
        model.string(Field.producerVersion, producerVersion)
        model.int64(Field.modelVersion, 1)
        model.string(Field.docString, onnxDocString)
        model.message(Field.graph) { graph.encode(into: &$0, name: provenance.model, inputShape: sampleShape, outputShape: shape) }
        model.message(Field.opsetImport) { opset in
            opset.string(ONNXSchema.OperatorSetID.domain, "")
            opset.int64(ONNXSchema.OperatorSetID.version, ONNXSchema.opsetVersion)
        }
        for (key, value) in onnxMetadata {
            model.message(Field.metadataProps) { entry in
                entry.string(ONNXSchema.StringStringEntry.key, key)
                entry.string(ONNXSchema.StringStringEntry.value, value)
            }
        }
        return Data(model.bytes)
    }

    /// The provenance as metadata_props, in a fixed order; numbers in Swift's shortest round-trip form.
    var onnxMetadata: [(String, String)] {
        var entries = [(ONNXSchema.Metadata.model, provenance.model), (ONNXSchema.Metadata.trim, provenance.trim),
                       (ONNXSchema.Metadata.compression, "\(provenance.compression)")]
        if let error = provenance.testErrorPercent { entries.append((ONNXSchema.Metadata.testErrorPercent, "\(error)")) }
        return entries
    }

    private var onnxDocString: String {
        let counts = weightCounts
        var text = "\(provenance.model) exported by vdrop: trimmed with \(provenance.trim), compression \(String(format: "%.1f", provenance.compression))×"
        text += " (\(counts.nonZero) of \(counts.total) weights non-zero in this graph)"
        if let error = provenance.testErrorPercent { text += ", test error \(String(format: "%.2f", error))%" }
        if let selection = inputSelection { text += "; compact: reads \(selection.count) of \(sampleShape.reduce(1, *)) input values" }
        return text + "."
    }
}
