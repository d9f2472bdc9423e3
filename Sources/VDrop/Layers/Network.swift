/// A model built on one backend for one batch size: its layers, its arenas and
/// every activation and gradient buffer, all allocated here and never in a step.
public final class Network {
    public let backend: any Backend
    public let batch: Int
    public let sampleShape: [Int]
    public let classes: Int
    public let layers: [Layer]
    /// The dense and conv layers, in order; layer i draws its noise from stream i.
    public let weightLayers: [WeightLayer]
    public let arena: ParameterArena
    /// BatchNorm running means and variances of every BatchNorm layer (not trained).
    public let state: Tensor
    /// activations[0] is the input batch; activations[i+1] is layer i's output. A ReLU works
    /// in place (its output is its input's tensor): no layer before a ReLU needs its own
    /// output in backward, and the ReLU's backward needs only its output.
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

    public init(specs: [LayerSpec], sampleShape: [Int], batch: Int, backend: any Backend) throws {
        precondition(batch > 0, "a batch holds at least one sample")
        self.backend = backend
        self.batch = batch
        self.sampleShape = sampleShape

        // First pass: shapes and arena positions.
        enum Planned {
            case dense(inputs: Int, outputs: Int, weights: Range<Int>, bias: Range<Int>, relu: Bool)
            case conv(ConvGeometry, weights: Range<Int>, bias: Range<Int>, activation: ConvActivation)
            case relu, maxPool
            case batchNorm(gamma: Range<Int>, beta: Range<Int>, state: Int)
        }
        var layout = ArenaLayoutBuilder()
        var stateCount = 0
        var shape = [batch] + sampleShape
        var shapes = [shape]
        var planned: [Planned] = []
        var specIndex = 0
        while specIndex < specs.count {
            let spec = specs[specIndex]
            specIndex += 1
            switch spec {
            case .dense(let outputs):
                let inputs = shape.dropFirst().reduce(1, *)
                // A ReLU right after a dense or conv layer runs inside that layer's own passes.
                let relu = specIndex < specs.count && specs[specIndex] == .relu
                if relu { specIndex += 1 }
                planned.append(.dense(inputs: inputs, outputs: outputs, weights: layout.reserveWeights(inputs * outputs),
                                      bias: layout.reservePlain(outputs), relu: relu))
                shape = [batch, outputs]
            case .conv(let outChannels, let kernelSize, let padding):
                precondition(shape.count == 4, "a convolution needs an NCHW input")
                let geometry = ConvGeometry(batch: batch, inChannels: shape[1], height: shape[2], width: shape[3],
                                            outChannels: outChannels, kernelSize: kernelSize, padding: padding)
                var activation = ConvActivation.none
                if specIndex < specs.count && specs[specIndex] == .relu {
                    specIndex += 1
                    activation = .relu
                    // A max-pool right after the ReLU runs in the conv layer's passes too (LeNet-5's
                    // conv → ReLU → pool): two launches fewer each way, no pre-pool activation stored.
                    if specIndex < specs.count && specs[specIndex] == .maxPool {
                        specIndex += 1
                        activation = .reluMaxPool
                    }
                }
                planned.append(.conv(geometry, weights: layout.reserveWeights(geometry.weightShape.reduce(1, *)),
                                     bias: layout.reservePlain(outChannels), activation: activation))
                shape = activation.outputShape(geometry)
            case .relu:
                planned.append(.relu)
            case .maxPool:
                planned.append(.maxPool)
                shape = [shape[0], shape[1], shape[2] / 2, shape[3] / 2]
            case .batchNorm:
                let channels = shape[1]
                planned.append(.batchNorm(gamma: layout.reservePlain(channels), beta: layout.reservePlain(channels), state: stateCount))
                stateCount += 2 * channels
            }
            shapes.append(shape)
        }
        classes = shape.dropFirst().reduce(1, *)

        // Second pass: the arenas, then layers holding views into them.
        arena = try ParameterArena(backend: backend, weightCount: layout.weightCount, plainCount: layout.plainCount)
        state = try backend.allocate([max(stateCount, 1)])
        let views = ParameterViews(arena: arena)
        var geometries: [ConvGeometry] = []
        for case .conv(let geometry, _, _, _) in planned { geometries.append(geometry) }
        // Conv layers run one at a time, so their unfolded inputs and GEMM results can share one
        // scratch, at the price of unfolding each input again in backward. Worth it when the
        // buffers are large (VGG-like: 2.8 GiB → 1.4 GiB at batch 100); small nets keep their own.
        let ownScratchFloats = geometries.reduce(0) { $0 + 2 * ($1.patchSize + $1.outChannels) * $1.batch * $1.outPlane }
        let convScratch = ownScratchFloats * 4 > Self.sharedScratchThreshold
            ? try ConvScratch(backend: backend, geometries: geometries) : nil
        var layers: [Layer] = []
        var weightLayers: [WeightLayer] = []
        var normCount = 0
        for (index, plan) in planned.enumerated() {
            let inputShape = shapes[index]
            switch plan {
            case .dense(let inputs, let outputs, let weights, let bias, let relu):
                let layer = try DenseLayer(name: "dense\(weightLayers.count + 1) \(inputs)→\(outputs)\(relu ? " +relu" : "")", backend: backend,
                                           batch: batch, inputs: inputs, outputs: outputs, activation: relu ? .relu : .none,
                                           stream: UInt32(weightLayers.count), weightRange: weights, biasRange: bias, views: views)
                weightLayers.append(layer)
                layers.append(layer)
            case .conv(let geometry, let weights, let bias, let activation):
                let fused: String
                switch activation {
                case .none: fused = ""
                case .relu: fused = " +relu"
                case .reluMaxPool: fused = " +relu +maxpool"
                }
                let layer = try ConvLayer(name: "conv\(weightLayers.count + 1) \(geometry.inChannels)→\(geometry.outChannels)@\(geometry.kernelSize)×\(geometry.kernelSize)\(fused)",
                                          backend: backend, geometry: geometry, activation: activation, stream: UInt32(weightLayers.count),
                                          weightRange: weights, biasRange: bias, views: views, scratch: convScratch)
                weightLayers.append(layer)
                layers.append(layer)
            case .relu:
                layers.append(ReLULayer(name: "relu", backend: backend, shape: inputShape))
            case .maxPool:
                layers.append(try MaxPoolLayer(name: "maxpool", backend: backend, inputShape: inputShape))
            case .batchNorm(let gamma, let beta, let offset):
                let channels = inputShape[1]
                normCount += 1
                layers.append(try BatchNormLayer(name: "bn\(normCount) \(channels)", backend: backend, inputShape: inputShape,
                                                 gammaRange: gamma, betaRange: beta, views: views,
                                                 runningMean: state.slice(from: offset, shape: [channels]),
                                                 runningVariance: state.slice(from: offset + channels, shape: [channels])))
            }
        }
        self.layers = layers
        self.weightLayers = weightLayers
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

    /// Bytes of per-layer conv buffers above which the layers share one scratch.
    public static let sharedScratchThreshold = 256 << 20

    public convenience init(model: ModelKind, batch: Int, backend: any Backend) throws {
        try self.init(specs: model.layers, sampleShape: model.sampleShape, batch: batch, backend: backend)
    }

    /// Every trainable tensor and BatchNorm statistic by a stable name, as views into the
    /// arenas: "conv1.theta", "conv1.log_sigma2", "conv1.bias", "bn1.weight", "bn1.bias",
    /// "bn1.running_mean", "bn1.running_var", ... Checkpoints store them under these names.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var named: [(String, Tensor)] = []
        for layer in layers {
            let key = String(layer.name.prefix { $0 != " " })
            if let weighted = layer as? WeightLayer {
                let theta = weighted.weights.theta
                named += [("\(key).theta", theta),
                          ("\(key).log_sigma2", arena.logSigma2Segment(of: arena.parameters).slice(from: weighted.weightRange.lowerBound, shape: theta.shape)),
                          ("\(key).bias", weighted.weights.bias)]
            } else if let norm = layer as? BatchNormLayer {
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
        try backend.fill(arena.firstMoment, with: 0)
        try backend.fill(arena.secondMoment, with: 0)
    }

    /// σ² of every weight for this step's noise (one pass over the arena).
    public func computeWeightVariance(noise: WeightNoise) throws {
        if noise == .deterministic || arena.weightCount == 0 { return }
        try backend.weightVariance(theta: arena.thetaSegment(of: arena.parameters),
                                   logSigma2: arena.logSigma2Segment(of: arena.parameters),
                                   noise: noise, into: arena.varianceSegment)
    }

    /// Runs every layer on `input` (already filled); returns the logits.
    @discardableResult
    public func forward(mode: ForwardMode) throws -> Tensor {
        if case .training(let noise, _) = mode { try computeWeightVariance(noise: noise) }
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
