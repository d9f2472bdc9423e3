/// A model built on one backend for one batch size: its layers, its arenas and
/// every activation and gradient buffer, all allocated here (from a ``ModelPlan``) and never in a step.
public final class Network {
    /// What was allocated: the stages, their shapes and where their parameters sit.
    public let plan: ModelPlan
    public let backend: any Backend
    public let batch: Int
    public let sampleShape: [Int]
    public let classes: Int
    public let layers: [Layer]
    /// The dense and conv layers, in order; layer i draws its noise from stream i.
    public let weightLayers: [WeightLayer]
    public let arena: ParameterArena
    /// The optimizer: its moments beside the arena.
    public let adam: Adam
    /// BatchNorm running means and variances of every BatchNorm layer (not trained).
    public let state: Tensor
    /// activations[0] is the input batch; activations[i+1] is layer i's output. A ReLU works
    /// in place (its output is its input's tensor): no layer before a ReLU needs its own
    /// output in backward, and the ReLU's backward needs only its output. A layer with a fused
    /// ReLU (dense, conv, BatchNorm) keeps its own output, which its backward masks with.
    public let activations: [Tensor]
    /// activationGradients[i] is ∂L/∂activations[i]. Backward needs only two at a time, so
    /// they alternate between two buffers of the largest size.
    let activationGradients: [Tensor]
    /// Class indices of the batch, as Float.
    public let labels: Tensor
    /// Per-sample cross-entropy and 0/1 correctness of the last loss pass.
    public let rowLoss: Tensor
    public let rowCorrect: Tensor
    /// Reductions read back every few steps: [Σ rowLoss, Σ rowCorrect, Σ_weights R].
    public let scalars: Tensor

    /// The batch's input buffer, [batch] + sampleShape: data is gathered into it.
    public var input: Tensor { activations[0] }
    /// The last layer's output, [batch, classes].
    public var logits: Tensor { activations[activations.count - 1] }

    /// Allocates `plan` on `backend`: the arenas, the state, every layer's views and workspaces,
    /// the activations and gradients. Nothing is decided here that the plan has not decided.
    /// `arena` and `adam`: trainable values and moments kept elsewhere (a ``SeedBatch`` seed's
    /// part of shared storage).
    public init(plan: ModelPlan, backend: any Backend, arena: ParameterArena? = nil, adam: Adam? = nil) throws {
        self.plan = plan
        self.backend = backend
        batch = plan.batch
        sampleShape = plan.sampleShape
        classes = plan.classes
        precondition(arena.map { $0.weightCount == plan.weightCount && $0.plainCount == plan.plainCount } ?? true,
                     "the arena given does not fit the plan")
        self.arena = try arena ?? ParameterArena(backend: backend, weightCount: plan.weightCount, plainCount: plan.plainCount)
        let arena = self.arena
        precondition(adam.map { $0.firstMoment.count == arena.count } ?? true, "the moments given do not fit the arena")
        self.adam = try adam ?? Adam(backend: backend, arena: arena)
        state = try backend.allocate([max(plan.stateCount, 1)])
        let views = ParameterViews(arena: arena)
        let convScratch = plan.sharesConvScratch ? try ConvScratch(backend: backend, geometries: plan.convGeometries) : nil
        var layers: [Layer] = []
        var weightLayers: [WeightLayer] = []
        for stage in plan.stages {
            let name = stage.displayName
            switch stage.operation {
            case .dense(let inputs, let outputs, let relu):
                let layer = try DenseLayer(name: name, key: stage.key!, backend: backend, batch: batch, inputs: inputs, outputs: outputs,
                                           activation: relu ? .relu : .none, stream: UInt32(weightLayers.count),
                                           weightRange: stage.weights!, biasRange: stage.plain!, views: views)
                weightLayers.append(layer)
                layers.append(layer)
            case .conv(let geometry, let activation):
                let layer = try ConvLayer(name: name, key: stage.key!, backend: backend, geometry: geometry, activation: activation,
                                          stream: UInt32(weightLayers.count), weightRange: stage.weights!, biasRange: stage.plain!,
                                          views: views, scratch: convScratch)
                weightLayers.append(layer)
                layers.append(layer)
            case .relu:
                layers.append(ReLULayer(name: name, backend: backend, shape: stage.inputShape))
            case .maxPool:
                layers.append(try MaxPoolLayer(name: name, backend: backend, inputShape: stage.inputShape))
            case .batchNorm(let channels, let relu):
                let offset = stage.state!.lowerBound
                layers.append(try BatchNormLayer(name: name, key: stage.key!, backend: backend, inputShape: stage.inputShape,
                                                 activation: relu ? .relu : .none, gammaRange: stage.plain!, betaRange: stage.beta!, views: views,
                                                 runningMean: state.slice(from: offset, shape: [channels]),
                                                 runningVariance: state.slice(from: offset + channels, shape: [channels])))
            }
        }
        self.layers = layers
        self.weightLayers = weightLayers
        let shapes = [[batch] + sampleShape] + plan.stages.map(\.outputShape)
        var activations = [try backend.allocate(shapes[0])]
        for (index, layer) in layers.enumerated() {
            activations.append(layer is ReLULayer ? activations[index] : try backend.allocate(shapes[index + 1]))
        }
        self.activations = activations
        let largest = shapes.map { $0.reduce(1, *) }.max() ?? 1
        let gradientBuffers = [try backend.allocate([largest]), try backend.allocate([largest])]
        activationGradients = shapes.enumerated().map { gradientBuffers[$0.offset % 2].slice(from: 0, shape: $0.element) }
        labels = try backend.allocate([batch])
        rowLoss = try backend.allocate([batch])
        rowCorrect = try backend.allocate([batch])
        scalars = try backend.allocate([3])
    }

    public convenience init(specs: [LayerSpec], sampleShape: [Int], batch: Int, backend: any Backend) throws {
        try self.init(plan: ModelPlan(specs: specs, sampleShape: sampleShape, batch: batch), backend: backend)
    }

    /// `fuseBatchNormReLU`: as ``ModelPlan/init(model:batch:fuseBatchNormReLU:)``.
    public convenience init(model: ModelKind, batch: Int, backend: any Backend, fuseBatchNormReLU: Bool = true) throws {
        try self.init(plan: ModelPlan(model: model, batch: batch, fuseBatchNormReLU: fuseBatchNormReLU), backend: backend)
    }

    /// Every trainable tensor and BatchNorm statistic under its name in the plan
    /// (``ModelPlan/parameterNames``), as views into the arenas. Checkpoints store them so.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var named: [(String, Tensor)] = []
        for layer in layers {
            if let weighted = layer as? WeightLayer {
                let theta = weighted.weights.theta, key = weighted.key
                named += [("\(key).theta", theta),
                          ("\(key).log_sigma2", arena.logSigma2Segment(of: arena.parameters).slice(from: weighted.weightRange.lowerBound, shape: theta.shape)),
                          ("\(key).bias", weighted.weights.bias)]
            } else if let norm = layer as? BatchNormLayer {
                let key = norm.key
                named += [("\(key).weight", norm.gamma), ("\(key).bias", norm.beta),
                          ("\(key).running_mean", norm.runningMean), ("\(key).running_var", norm.runningVariance)]
            }
        }
        return named
    }

    /// The paper's initialization (Appendix A), drawn from Philox so both backends start equal:
    /// θ ~ U(−√(3/fan_in), √(3/fan_in)), log σ = −5 + 0.1·N(0,1) (log σ² = 2 log σ), biases and β 0,
    /// γ 1, running means 0 and variances 1. Adam's moments are zeroed.
    public func initializeParameters(seed: UInt64) throws {
        var values = [Float](repeating: 0, count: arena.count)
        let w = arena.weightCount
        for (index, layer) in weightLayers.enumerated() {
            let bound = (3 / Float(layer.fanIn)).squareRoot()
            let uniforms = NoiseKey(seed: seed, step: UInt64(index), stream: NoiseKey.initStream)
            let normals = NoiseKey(seed: seed, step: UInt64(index) | (1 << 32), stream: NoiseKey.initStream)
            for (j, position) in layer.weightRange.enumerated() {
                let unit = Philox.uniform(uniforms.word(j))
                values[position] = (2 * unit - 1) * bound
                values[w + position] = 2 * (-5 + 0.1 * normals.normal(j))
            }
        }
        var stateValues = [Float](repeating: 0, count: state.count)
        for case let norm as BatchNormLayer in layers {
            let gammaStart = norm.gamma.offset - arena.parameters.offset
            for c in 0..<norm.channels { values[gammaStart + c] = 1 }
            let varianceStart = norm.runningVariance.offset - state.offset
            for c in 0..<norm.channels { stateValues[varianceStart + c] = 1 }
        }
        try backend.upload(values, to: arena.parameters)
        try backend.upload(stateValues, to: state)
        try adam.reset()
    }

    /// σ² of every weight for this step's noise (one pass over the arena).
    public func computeWeightVariance(noise: WeightNoise) throws {
        if noise == .deterministic || arena.weightCount == 0 { return }
        try backend.weightVariance(theta: arena.thetaSegment(of: arena.parameters),
                                   logSigma2: arena.logSigma2Segment(of: arena.parameters),
                                   noise: noise, into: arena.varianceSegment)
    }

    /// Runs every layer on `input` (already filled); returns the logits. `varianceReady`: this
    /// step's σ² is already computed (a seed batch computes every seed's in one launch).
    @discardableResult
    public func forward(mode: ForwardMode, varianceReady: Bool = false) throws -> Tensor {
        if case .training(let noise, _) = mode, !varianceReady { try computeWeightVariance(noise: noise) }
        for (index, layer) in layers.enumerated() {
            try layer.forward(activations[index], output: activations[index + 1], mode: mode)
        }
        return logits
    }

    /// Cross-entropy of the logits against `labels` into `rowLoss`/`rowCorrect`, and
    /// ∂L/∂logits = gradScale·(softmax − onehot) when `withGradient`.
    public func loss(gradScale: Float, withGradient: Bool) throws {
        try backend.softmaxCrossEntropy(logits: logits.reshaped([batch, classes]), labels: labels, gradScale: gradScale,
                                        gradLogits: withGradient ? activationGradients[layers.count].reshaped([batch, classes]) : nil,
                                        rowLoss: rowLoss, rowCorrect: rowCorrect)
    }

    /// Runs every layer backwards from the loss gradient, writing the gradient arena.
    public func backward(mode: ForwardMode) throws {
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            try layers[index].backward(input: activations[index], output: activations[index + 1],
                                       gradOutput: activationGradients[index + 1],
                                       gradInput: index == 0 ? nil : activationGradients[index], mode: mode)
        }
    }
}
