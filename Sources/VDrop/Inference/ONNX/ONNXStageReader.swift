/// Turns an ONNX graph's nodes, one at a time and in order, into `InferenceModel` stages while
/// tracking one sample's shape. It reads the operators vdrop writes and the same shapes as
/// PyTorch's exporter writes them (Gemm with or without transB, MatMul followed by Add,
/// Conv with or without bias); any other operator or attribute value is a sentence naming it.
struct ONNXStageReader {
    let file: String
    let initializers: [String: ONNXTensorMessage]
    let sampleShape: [Int]
    /// One sample's shape at the current value (no batch dimension).
    private(set) var shape: [Int]
    private(set) var stages: [InferenceModel.Stage] = []
    private(set) var inputSelection: [Int]?
    /// The stage a MatMul made, whose bias the following Add supplies.
    private var biasPendingStage: Int?

    init(file: String, initializers: [String: ONNXTensorMessage], sampleShape: [Int]) {
        self.file = file
        self.initializers = initializers
        self.sampleShape = sampleShape
        self.shape = sampleShape
    }

    private func fail(_ node: ONNXNodeMessage, _ problem: String) -> ModelFileError {
        ModelFileError(file: file, problem: "node \"\(node.name)\" (\(node.opType)): \(problem)")
    }

    /// Reads `node`, whose first input is the current value.
    mutating func read(_ node: ONNXNodeMessage) throws {
        let pending = biasPendingStage
        biasPendingStage = nil
        switch node.opType {
        case "Flatten":
            try expect(node, inputs: 1, attributes: ["axis"])
            guard (node.attributes["axis"]?.int ?? 1) == 1 else { throw fail(node, "vdrop reads Flatten with axis 1 only.") }
            shape = [shape.reduce(1, *)]
        case "Gather": try readGather(node)
        case "Gemm": try readGemm(node)
        case "MatMul":
            try expect(node, inputs: 2, attributes: [])
            try appendDense(node, weightName: node.inputs[1], transposed: true, biasName: nil)
            biasPendingStage = stages.count - 1
        case "Add":
            try expect(node, inputs: 2, attributes: [])
            guard let index = pending, case .dense(var dense) = stages[index] else {
                throw fail(node, "vdrop reads Add only as the bias right after a MatMul.")
            }
            let bias = try floats(node, node.inputs[1])
            guard bias.values.count == dense.outputs, bias.dims.last == dense.outputs, bias.dims.dropLast().allSatisfy({ $0 == 1 }) else {
                throw fail(node, "the bias \"\(node.inputs[1])\" has dims \(bias.dims), not [\(dense.outputs)].")
            }
            dense.bias = zip(dense.bias, bias.values).map { $0 + $1 }
            stages[index] = .dense(dense)
        case "Conv": try readConv(node)
        case "Relu":
            try expect(node, inputs: 1, attributes: [])
            stages.append(.relu)
        case "MaxPool": try readMaxPool(node)
        case "BatchNormalization": try readBatchNorm(node)
        default:
            throw fail(node, "vdrop reads Flatten, Gather (a compact network's inputs), Gemm, MatMul + Add, Conv, Relu, MaxPool and BatchNormalization; not \(node.opType).")
        }
    }

    private func expect(_ node: ONNXNodeMessage, inputs: ClosedRange<Int>, attributes: Set<String>) throws {
        guard inputs.contains(node.inputs.count) else {
            throw fail(node, "has \(node.inputs.count) inputs; vdrop reads \(inputs.lowerBound == inputs.upperBound ? "\(inputs.lowerBound)" : "\(inputs.lowerBound) to \(inputs.upperBound)").")
        }
        if let unknown = node.attributes.keys.sorted().first(where: { !attributes.contains($0) }) {
            throw fail(node, "has the attribute \(unknown), which vdrop does not read (it reads \(attributes.isEmpty ? "none" : attributes.sorted().joined(separator: ", "))).")
        }
    }

    private func expect(_ node: ONNXNodeMessage, inputs: Int, attributes: Set<String>) throws {
        try expect(node, inputs: inputs...inputs, attributes: attributes)
    }

    /// An initializer's float values, finite; anything else (a computed value, int64) is a sentence.
    private func floats(_ node: ONNXNodeMessage, _ name: String) throws -> (dims: [Int], values: [Float]) {
        guard let tensor = initializers[name] else {
            throw fail(node, "its input \"\(name)\" is not an initializer; vdrop reads graphs whose weights are constants.")
        }
        guard case .floats(let values) = tensor.values else { throw fail(node, "the initializer \"\(name)\" is not float32.") }
        guard values.allSatisfy({ $0.isFinite }) else { throw fail(node, "the initializer \"\(name)\" holds a non-finite value.") }
        return (tensor.dims, values)
    }

    /// The stage's name: its weight's name without ".weight" (PyTorch's naming), else the node's.
    private func stageName(_ node: ONNXNodeMessage, weight: String, fallback: String) -> String {
        if weight.hasSuffix(".weight"), weight.count > 7 { return String(weight.dropLast(7)) }
        return node.name.isEmpty ? fallback : node.name
    }

    private func ints(_ node: ONNXNodeMessage, _ name: String, default value: [Int64]) -> [Int64] {
        guard let attribute = node.attributes[name] else { return value }
        return attribute.ints
    }

    private mutating func readGather(_ node: ONNXNodeMessage) throws {
        try expect(node, inputs: 2, attributes: ["axis"])
        let sampleSize = sampleShape.reduce(1, *)
        guard stages.isEmpty, inputSelection == nil, shape == [sampleSize] else {
            throw fail(node, "vdrop reads Gather only as a compact network's input selection, right after flattening the input.")
        }
        guard node.attributes["axis"]?.int == 1 else { throw fail(node, "vdrop reads Gather with axis 1 only.") }
        guard let tensor = initializers[node.inputs[1]], case .int64s(let indices) = tensor.values, tensor.dims.count == 1 else {
            throw fail(node, "its indices \"\(node.inputs[1])\" are not a one-dimensional int64 initializer.")
        }
        var previous: Int64 = -1
        for index in indices {
            guard index > previous, index < Int64(sampleSize) else {
                throw fail(node, "its indices must ascend within 0…\(sampleSize - 1) (positions of the flattened input); \(index) follows \(previous).")
            }
            previous = index
        }
        inputSelection = indices.map { Int($0) }
        shape = [indices.count]
    }

    private mutating func readGemm(_ node: ONNXNodeMessage) throws {
        try expect(node, inputs: 2...3, attributes: ["alpha", "beta", "transA", "transB"])
        guard (node.attributes["alpha"]?.float ?? 1) == 1, (node.attributes["beta"]?.float ?? 1) == 1,
              (node.attributes["transA"]?.int ?? 0) == 0 else {
            throw fail(node, "vdrop reads Gemm with alpha 1, beta 1 and transA 0 only.")
        }
        let transB = node.attributes["transB"]?.int ?? 0
        guard transB == 0 || transB == 1 else { throw fail(node, "transB is \(transB), not 0 or 1.") }
        try appendDense(node, weightName: node.inputs[1], transposed: transB == 0, biasName: node.inputs.count == 3 ? node.inputs[2] : nil)
    }

    /// A dense stage from W (PyTorch's [out, in], or [in, out] when `transposed`) and an optional bias [out].
    private mutating func appendDense(_ node: ONNXNodeMessage, weightName: String, transposed: Bool, biasName: String?) throws {
        guard shape.count == 1 else { throw fail(node, "its input is \(shape) per sample; a product needs a flat input (add a Flatten).") }
        let weight = try floats(node, weightName)
        guard weight.dims.count == 2 else { throw fail(node, "the weight \"\(weightName)\" has dims \(weight.dims), not two.") }
        let (outputs, inputs) = transposed ? (weight.dims[1], weight.dims[0]) : (weight.dims[0], weight.dims[1])
        guard inputs == shape[0], outputs > 0 else {
            throw fail(node, "the weight \"\(weightName)\" (dims \(weight.dims)) takes \(inputs) inputs, but its input holds \(shape[0]).")
        }
        var values = weight.values
        if transposed {
            values = [Float](repeating: 0, count: values.count)
            for i in 0..<inputs { for o in 0..<outputs { values[o * inputs + i] = weight.values[i * outputs + o] } }
        }
        var bias = [Float](repeating: 0, count: outputs)
        if let biasName, !biasName.isEmpty {
            let given = try floats(node, biasName)
            guard given.values.count == outputs, given.dims.last == outputs else {
                throw fail(node, "the bias \"\(biasName)\" has dims \(given.dims), not [\(outputs)].")
            }
            bias = given.values
        }
        let name = stageName(node, weight: weightName, fallback: "dense\(stages.count + 1)")
        stages.append(.dense(.init(name: name, inputs: inputs, outputs: outputs, weight: values, bias: bias)))
        shape = [outputs]
    }

    private mutating func readConv(_ node: ONNXNodeMessage) throws {
        try expect(node, inputs: 2...3, attributes: ["kernel_shape", "pads", "strides", "dilations", "group", "auto_pad"])
        guard shape.count == 3 else { throw fail(node, "its input is \(shape) per sample, not an image [channels, height, width].") }
        let weight = try floats(node, node.inputs[1])
        guard weight.dims.count == 4, weight.dims[2] == weight.dims[3], weight.dims[0] > 0, weight.dims[2] > 0 else {
            throw fail(node, "the weight \"\(node.inputs[1])\" has dims \(weight.dims); vdrop reads square kernels [out, in, k, k].")
        }
        let (outChannels, inChannels, k) = (weight.dims[0], weight.dims[1], weight.dims[2])
        guard inChannels == shape[0] else { throw fail(node, "the weight takes \(inChannels) channels, but its input has \(shape[0]).") }
        guard ints(node, "kernel_shape", default: [Int64(k), Int64(k)]) == [Int64(k), Int64(k)],
              ints(node, "strides", default: [1, 1]) == [1, 1], ints(node, "dilations", default: [1, 1]) == [1, 1],
              (node.attributes["group"]?.int ?? 1) == 1, (node.attributes["auto_pad"]?.string ?? "NOTSET") == "NOTSET" else {
            throw fail(node, "vdrop reads Conv with stride 1, dilation 1, one group and explicit pads only.")
        }
        let pads = ints(node, "pads", default: [0, 0, 0, 0])
        guard pads.count == 4, Set(pads).count == 1, let padding = pads.first, padding >= 0, padding < Int64(k) else {
            throw fail(node, "its pads \(pads) are not four equal values below the kernel size \(k).")
        }
        let p = Int(padding)
        guard shape[1] + 2 * p >= k, shape[2] + 2 * p >= k else {
            throw fail(node, "its \(k)×\(k) kernel is larger than the padded \(shape[1])×\(shape[2]) input.")
        }
        var bias = [Float](repeating: 0, count: outChannels)
        if node.inputs.count == 3, !node.inputs[2].isEmpty {
            let given = try floats(node, node.inputs[2])
            guard given.dims == [outChannels] else { throw fail(node, "the bias \"\(node.inputs[2])\" has dims \(given.dims), not [\(outChannels)].") }
            bias = given.values
        }
        let name = stageName(node, weight: node.inputs[1], fallback: "conv\(stages.count + 1)")
        stages.append(.conv(.init(name: name, inChannels: inChannels, outChannels: outChannels, kernelSize: k, padding: p,
                                  weight: weight.values, bias: bias)))
        shape = [outChannels, shape[1] + 2 * p - k + 1, shape[2] + 2 * p - k + 1]
    }

    private mutating func readMaxPool(_ node: ONNXNodeMessage) throws {
        try expect(node, inputs: 1, attributes: ["kernel_shape", "strides", "pads", "dilations", "ceil_mode", "auto_pad", "storage_order"])
        guard ints(node, "kernel_shape", default: []) == [2, 2], ints(node, "strides", default: [1, 1]) == [2, 2],
              ints(node, "pads", default: [0, 0, 0, 0]).allSatisfy({ $0 == 0 }), ints(node, "dilations", default: [1, 1]) == [1, 1],
              (node.attributes["ceil_mode"]?.int ?? 0) == 0, ["NOTSET", "VALID"].contains(node.attributes["auto_pad"]?.string ?? "NOTSET") else {
            throw fail(node, "vdrop reads MaxPool 2×2 with stride 2, no padding and floor rounding only.")
        }
        guard shape.count == 3, shape[1] >= 2, shape[2] >= 2 else { throw fail(node, "its input \(shape) is not an image of at least 2×2.") }
        stages.append(.maxPool)
        shape = [shape[0], shape[1] / 2, shape[2] / 2]
    }

    private mutating func readBatchNorm(_ node: ONNXNodeMessage) throws {
        try expect(node, inputs: 5, attributes: ["epsilon", "momentum", "training_mode", "spatial"])
        guard (node.attributes["training_mode"]?.int ?? 0) == 0, (node.attributes["spatial"]?.int ?? 1) == 1 else {
            throw fail(node, "vdrop reads BatchNormalization in inference mode only.")
        }
        let epsilon = node.attributes["epsilon"]?.float ?? 1e-5
        guard epsilon.isFinite, epsilon >= 0 else { throw fail(node, "its epsilon \(epsilon) is not a finite non-negative number.") }
        let channels = shape.first ?? 0
        guard shape.count == 1 || shape.count == 3 else { throw fail(node, "its input \(shape) is neither a vector nor an image.") }
        let parameters = try node.inputs[1...].map { name -> [Float] in
            let tensor = try floats(node, name)
            guard tensor.dims == [channels] else { throw fail(node, "\"\(name)\" has dims \(tensor.dims), not [\(channels)].") }
            return tensor.values
        }
        guard parameters[3].allSatisfy({ $0 >= 0 }) else { throw fail(node, "its variance \"\(node.inputs[4])\" holds a negative value.") }
        let name = stageName(node, weight: node.inputs[1], fallback: "bn\(stages.count + 1)")
        stages.append(.batchNorm(.init(name: name, gamma: parameters[0], beta: parameters[1], mean: parameters[2],
                                       variance: parameters[3], epsilon: epsilon)))
    }
}
