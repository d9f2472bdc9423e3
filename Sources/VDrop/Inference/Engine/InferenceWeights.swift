/// One stage's parameters on a backend, uploaded once when an ``InferenceEngine`` is built,
/// in the form its path reads them.
enum InferenceWeights {
    /// θ = the trimmed weights and the bias, for the training layers' deterministic forward
    /// pass (which never reads the variance: θ stands in for it).
    case gemm(LRTWeights)
    /// The non-zeros in CSR ([out, in], a conv's as [out, in·k·k]) and the bias.
    case csr(CSRTensors, bias: Tensor)
    /// A conv's non-zero taps in CSR [out, in·k·k], their input offsets (Int32), and the bias.
    case sparseConv(CSRTensors, tapOffsets: Tensor, bias: Tensor)
    /// γ, β and the running statistics.
    case batchNorm(gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, epsilon: Float)

    /// The weights of every stage the plan reads, by stage index.
    static func upload(_ model: InferenceModel, plan: InferencePlan, backend: any Backend) throws -> [Int: InferenceWeights] {
        var weights: [Int: InferenceWeights] = [:]
        func gemm(_ weight: [Float], shape: [Int], bias: [Float]) throws -> InferenceWeights {
            let theta = try backend.tensor(weight, shape: shape)
            return .gemm(LRTWeights(theta: theta, variance: theta, bias: try backend.tensor(bias, shape: [bias.count])))
        }
        func csr(_ weight: [Float], rows: Int, columns: Int, bias: [Float]) throws -> InferenceWeights {
            .csr(try CSRTensors(CSRMatrix(dense: weight, rows: rows, columns: columns), backend: backend),
                 bias: try backend.tensor(bias, shape: [bias.count]))
        }
        for step in plan.steps {
            switch step.operation {
            case .dense(let index, _), .csrDense(let index, _):
                guard case .dense(let d) = model.stages[index] else { preconditionFailure("the plan's stage \(index) is no dense layer") }
                if case .dense = step.operation {
                    weights[index] = try gemm(d.weight, shape: [d.outputs, d.inputs], bias: d.bias)
                } else {
                    weights[index] = try csr(d.weight, rows: d.outputs, columns: d.inputs, bias: d.bias)
                }
            case .conv(let index, _), .sparseConv(let index, _):
                guard case .conv(let c) = model.stages[index] else { preconditionFailure("the plan's stage \(index) is no conv layer") }
                if case .conv = step.operation {
                    weights[index] = try gemm(c.weight, shape: [c.outChannels, c.inChannels, c.kernelSize, c.kernelSize], bias: c.bias)
                } else {
                    let filters = CSRMatrix(dense: c.weight, rows: c.outChannels, columns: c.patchSize)
                    let offsets = CSRTensors.tapOffsets(filters, kernelSize: c.kernelSize, height: step.inputShape[1], width: step.inputShape[2])
                    weights[index] = .sparseConv(try CSRTensors(filters, backend: backend), tapOffsets: try CSRTensors.int32Tensor(offsets, backend: backend),
                                                 bias: try backend.tensor(c.bias, shape: [c.bias.count]))
                }
            case .batchNorm(let index):
                guard case .batchNorm(let b) = model.stages[index] else { preconditionFailure("the plan's stage \(index) is no BatchNorm") }
                weights[index] = .batchNorm(gamma: try backend.tensor(b.gamma, shape: [b.channels]),
                                            beta: try backend.tensor(b.beta, shape: [b.channels]),
                                            mean: try backend.tensor(b.mean, shape: [b.channels]),
                                            variance: try backend.tensor(b.variance, shape: [b.channels]), epsilon: b.epsilon)
            case .selectInput, .transpose, .relu, .maxPool:
                break
            }
        }
        return weights
    }
}
