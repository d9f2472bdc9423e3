/// The buffers an ``InferenceEngine`` runs one batch size in, allocated once per size: the
/// input, every step's output, and the workspaces the reused training operations ask for.
struct InferenceActivations {
    let batch: Int
    /// [batch, sample size].
    let input: Tensor
    /// Step i's output, [batch] + its output shape (feature-major steps hold the same count).
    let outputs: [Tensor]
    let denseWorkspaces: [Int: DenseWorkspace]
    let convWorkspaces: [Int: ConvWorkspace]
    /// Max-pooling's window positions (written, never read: inference has no backward pass).
    let argmax: [Int: Tensor]
    let batchNormSaved: [Int: BatchNormSaved]

    init(plan: InferencePlan, model: InferenceModel, batch: Int, backend: any Backend) throws {
        self.batch = batch
        input = try Self.allocateWithSlack([batch] + model.sampleShape, backend: backend)
        outputs = try plan.steps.map { try Self.allocateWithSlack([batch] + $0.outputShape, backend: backend) }
        var dense: [Int: DenseWorkspace] = [:], conv: [Int: ConvWorkspace] = [:]
        var argmax: [Int: Tensor] = [:], saved: [Int: BatchNormSaved] = [:]
        let geometries = plan.steps.compactMap { step -> ConvGeometry? in
            if case .conv(let index, _) = step.operation { return Self.geometry(of: model.stages[index], input: step.inputShape, batch: batch) }
            return nil
        }
        // The conv layers run one after another, so they share one unfolding scratch.
        let scratch = geometries.isEmpty ? nil : try ConvScratch(backend: backend, geometries: geometries)
        for (i, step) in plan.steps.enumerated() {
            switch step.operation {
            case .dense(let index, _):
                guard case .dense(let d) = model.stages[index] else { continue }
                dense[i] = try DenseWorkspace(backend: backend, batch: batch, inputs: d.inputs, outputs: d.outputs)
            case .conv(let index, let activation):
                if let scratch, let g = Self.geometry(of: model.stages[index], input: step.inputShape, batch: batch) {
                    conv[i] = try ConvWorkspace(backend: backend, geometry: g, activation: activation, sharing: scratch)
                }
            case .maxPool:
                argmax[i] = try backend.allocate([batch] + step.outputShape)
            case .batchNorm:
                saved[i] = try BatchNormSaved(backend: backend, channels: step.inputShape[0])
            case .selectInput, .transpose, .csrDense, .sparseConv, .relu:
                break
            }
        }
        denseWorkspaces = dense
        convWorkspaces = conv
        self.argmax = argmax
        batchNormSaved = saved
    }

    /// A tensor of `shape` whose storage holds 16 values more: a sparse convolution reading it
    /// may then run its last vector past the end (into lanes it throws away).
    static func allocateWithSlack(_ shape: [Int], backend: any Backend) throws -> Tensor {
        Tensor(storage: try backend.makeStorage(capacity: shape.reduce(1, *) + 16), offset: 0, shape: shape)
    }

    /// The geometry of a conv stage reading one sample of `input` ([C, H, W]), for `batch` samples.
    static func geometry(of stage: InferenceModel.Stage, input: [Int], batch: Int) -> ConvGeometry? {
        guard case .conv(let c) = stage else { return nil }
        return ConvGeometry(batch: batch, inChannels: c.inChannels, height: input[1], width: input[2], outChannels: c.outChannels,
                            kernelSize: c.kernelSize, padding: c.padding)
    }
}
