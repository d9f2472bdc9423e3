/// Runs an ``InferenceModel`` on a backend: the weights uploaded once, buffers allocated once
/// per batch size, then logits or predictions for any number of samples.
///
/// ```swift
/// let engine = try InferenceEngine(model: model, backend: backend, path: .sparse, batchSize: 100)
/// let predicted = try engine.predictions(samples: test.images, count: test.count)
/// ```
/// The dense path reuses the training layers' deterministic forward passes (the same products
/// `vdrop eval` runs); the sparse path runs ``InferenceOperations``. A compact network is
/// another model on the dense path.
public final class InferenceEngine {
    public let model: InferenceModel
    public let backend: any Backend
    public let path: InferencePath
    public let plan: InferencePlan
    /// The most samples one pass takes; more are split into passes of this size, the last partial.
    public let batchSize: Int

    private let weights: [Int: InferenceWeights]
    /// The compact network's input positions as Int32 (see ``CSRTensors``).
    private let selection: Tensor?
    private var activations: [Int: InferenceActivations] = [:]
    /// The deterministic passes take a noise key and never read it.
    private let unusedKey = NoiseKey(seed: 0, step: 0, stream: 0)

    public init(model: InferenceModel, backend: any Backend, path: InferencePath, batchSize: Int) throws {
        guard batchSize >= 1 else { throw ConfigurationError("an inference batch holds at least one sample, not \(batchSize).") }
        self.model = model
        self.backend = backend
        self.path = path
        self.batchSize = batchSize
        plan = InferencePlan(model: model, path: path)
        weights = try InferenceWeights.upload(model, plan: plan, backend: backend)
        selection = try model.inputSelection.map { try CSRTensors.int32Tensor($0, backend: backend) }
        activations[batchSize] = try InferenceActivations(plan: plan, model: model, batch: batchSize, backend: backend)
        try backend.synchronize()
    }

    /// The logits of `count` samples (`samples`: count × sample size, normalized as
    /// `Dataset.images`), count × classes, row by row.
    public func logits(samples: [Float], count: Int) throws -> [Float] {
        let sampleSize = model.sampleShape.reduce(1, *)
        precondition(samples.count >= count * sampleSize, "\(samples.count) values hold fewer than \(count) samples of \(sampleSize)")
        var result: [Float] = []
        result.reserveCapacity(count * model.classes)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            let buffers = try buffers(for: n)
            if backend is CPUBackend {
                // Host memory: copy straight in and out, no intermediate arrays (batch 1 is all overhead).
                samples.withUnsafeBufferPointer { buffers.input.hostPointer.update(from: $0.baseAddress! + start * sampleSize, count: n * sampleSize) }
                let logits = try forward(buffers)
                result.append(contentsOf: UnsafeBufferPointer(start: logits.hostPointer, count: logits.count))
            } else {
                try backend.upload(Array(samples[(start * sampleSize)..<((start + n) * sampleSize)]), to: buffers.input)
                result += try backend.download(try forward(buffers))
            }
            start += n
        }
        return result
    }

    /// Each sample's class: the first largest logit, as every path and the reference report it.
    public func predictions(samples: [Float], count: Int) throws -> [Int] {
        InferenceModel.argmaxRows(try logits(samples: samples, count: count), columns: model.classes)
    }

    private func buffers(for batch: Int) throws -> InferenceActivations {
        if let existing = activations[batch] { return existing }
        let made = try InferenceActivations(plan: plan, model: model, batch: batch, backend: backend)
        activations[batch] = made
        return made
    }

    /// Enqueues every step of the plan on `buffers`; returns the logits tensor [batch, classes].
    private func forward(_ buffers: InferenceActivations) throws -> Tensor {
        let batch = buffers.batch
        var x = buffers.input
        for (i, step) in plan.steps.enumerated() {
            let y = buffers.outputs[i]
            let inputCount = step.inputShape.reduce(1, *)
            switch step.operation {
            case .selectInput(let transposed):
                try backend.selectColumns(input: x, rows: batch, columns: inputCount, selection: selection, selected: step.outputShape[0],
                                          output: y, transposed: transposed)
            case .transpose(let toFeatureMajor):
                // Sample-major is [batch, features]; feature-major its transpose.
                try backend.selectColumns(input: x, rows: toFeatureMajor ? batch : inputCount, columns: toFeatureMajor ? inputCount : batch,
                                          selection: nil, selected: toFeatureMajor ? inputCount : batch, output: y, transposed: true)
            case .dense(let index, let relu):
                guard case .gemm(let w)? = weights[index], let workspace = buffers.denseWorkspaces[i] else { preconditionFailure("dense step \(i) lacks its weights") }
                try backend.denseForward(input: x.reshaped([batch, inputCount]), weights: w, noise: .deterministic, key: unusedKey,
                                         output: y.reshaped([batch, step.outputShape[0]]), workspace: workspace, activation: relu ? .relu : .none)
            case .csrDense(let index, let relu):
                guard case .csr(let matrix, let bias)? = weights[index] else { preconditionFailure("CSR step \(i) lacks its weights") }
                try backend.csrDenseForward(matrix: matrix, bias: bias, input: x, batch: batch, output: y, relu: relu)
            case .conv(let index, let activation):
                guard case .gemm(let w)? = weights[index], let workspace = buffers.convWorkspaces[i],
                      let g = InferenceActivations.geometry(of: model.stages[index], input: step.inputShape, batch: batch)
                else { preconditionFailure("conv step \(i) lacks its weights") }
                try backend.convForward(input: x.reshaped(g.inputShape), weights: w, geometry: g, noise: .deterministic, key: unusedKey,
                                        output: y, workspace: workspace, activation: activation)
            case .sparseConv(let index, let relu):
                guard case .sparseConv(let filters, let offsets, let bias)? = weights[index],
                      let g = InferenceActivations.geometry(of: model.stages[index], input: step.inputShape, batch: batch)
                else { preconditionFailure("sparse conv step \(i) lacks its weights") }
                try backend.sparseConvForward(filters: filters, tapOffsets: offsets, bias: bias, input: x.reshaped(g.inputShape), geometry: g,
                                              output: y.reshaped(g.outputShape), relu: relu)
            case .relu:
                try backend.reluForward(input: x, output: y)
            case .maxPool:
                guard let argmax = buffers.argmax[i] else { preconditionFailure("max-pool step \(i) lacks its argmax") }
                try backend.maxPoolForward(input: x.reshaped([batch] + step.inputShape), output: y.reshaped([batch] + step.outputShape), argmax: argmax)
            case .batchNorm(let index):
                guard case .batchNorm(let gamma, let beta, let mean, let variance, let epsilon)? = weights[index],
                      let saved = buffers.batchNormSaved[i] else { preconditionFailure("BatchNorm step \(i) lacks its statistics") }
                try backend.batchNormForward(input: x.reshaped([batch] + step.inputShape), gamma: gamma, beta: beta,
                                             output: y.reshaped([batch] + step.outputShape), runningMean: mean, runningVariance: variance,
                                             saved: saved, training: false, momentum: 0, epsilon: epsilon)
            }
            x = y
        }
        return x
    }
}
