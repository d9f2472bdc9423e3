/// A model laid out for one batch size, before anything is allocated: its stages with what
/// each fuses, their shapes, where their parameters sit in the arenas, and the stable names
/// checkpoints and reports use. A pure value, computed without a device, so the fusion rules
/// and the layout are testable on their own; ``Network/init(plan:backend:)`` only allocates.
public struct ModelPlan: Equatable, Sendable {
    /// What one stage computes.
    public enum Operation: Equatable, Sendable {
        /// Dense with local reparameterization, `inputs` → `outputs` (flattens its input), with a
        /// fused ReLU when `relu`.
        case dense(inputs: Int, outputs: Int, relu: Bool)
        /// Convolution with local reparameterization and what its epilogue fuses.
        case conv(ConvGeometry, activation: ConvActivation)
        case relu
        /// 2×2, stride 2.
        case maxPool
        /// Over `channels`, with a fused ReLU when `relu` (VGG-like's BatchNorm → ReLU: one
        /// launch and one pass over the activation fewer each way).
        case batchNorm(channels: Int, relu: Bool)
    }

    /// One stage: a layer of the network.
    public struct Stage: Equatable, Sendable {
        public let operation: Operation
        /// The name its parameters are stored under ("dense1", "conv2", "bn1"); weight layers are
        /// numbered among the weight layers, BatchNorms among themselves. Nil: no parameters.
        public let key: String?
        public let inputShape: [Int]
        public let outputShape: [Int]
        /// θ's (and log σ²'s) positions in the weight segments.
        public let weights: Range<Int>?
        /// Positions in the plain segment: the bias of a dense or conv layer, BatchNorm's γ.
        public let plain: Range<Int>?
        /// BatchNorm's β in the plain segment.
        public let beta: Range<Int>?
        /// BatchNorm's running mean (then variance, the same count) in the state storage.
        public let state: Range<Int>?

        /// For summaries: "dense1 784→300 +relu", "conv1 1→20@5×5 +relu +maxpool", "bn1 64 +relu", "relu".
        public var displayName: String {
            switch operation {
            case .dense(let inputs, let outputs, let relu):
                return "\(key ?? "dense") \(inputs)→\(outputs)\(relu ? " +relu" : "")"
            case .conv(let g, let activation):
                let fused = activation == .reluMaxPool ? " +relu +maxpool" : activation == .relu ? " +relu" : ""
                return "\(key ?? "conv") \(g.inChannels)→\(g.outChannels)@\(g.kernelSize)×\(g.kernelSize)\(fused)"
            case .relu: return "relu"
            case .maxPool: return "maxpool"
            case .batchNorm(let channels, let relu): return "\(key ?? "bn") \(channels)\(relu ? " +relu" : "")"
            }
        }

        /// Inputs that feed one output of a weight layer (in, or in·k·k); nil for the others.
        public var fanIn: Int? {
            switch operation {
            case .dense(let inputs, _, _): return inputs
            case .conv(let g, _): return g.patchSize
            default: return nil
            }
        }
    }

    public let batch: Int
    /// One sample's shape, [channels, height, width].
    public let sampleShape: [Int]
    public let stages: [Stage]
    /// θ values (and log σ² values) over all weight layers: W of the arena [θ | log σ² | plain].
    public let weightCount: Int
    public let plainCount: Int
    /// BatchNorm running statistics: 2 × channels per BatchNorm.
    public let stateCount: Int
    public let classes: Int
    /// Whether the conv layers share one scratch for their unfolded inputs and products (see
    /// ``sharedScratchThreshold``).
    public let sharesConvScratch: Bool

    /// Bytes of per-layer conv buffers above which the layers share one scratch: conv layers
    /// run one at a time, so sharing costs only unfolding each input again in backward, and is
    /// worth it when the buffers are large (VGG-like: 2.8 GiB → 1.4 GiB at batch 100).
    public static let sharedScratchThreshold = 256 << 20

    /// `fuseBatchNormReLU`: as in ``init(specs:sampleShape:batch:fuseBatchNormReLU:)``.
    public init(model: ModelKind, batch: Int, fuseBatchNormReLU: Bool = true) {
        self.init(specs: model.layers, sampleShape: model.sampleShape, batch: batch, fuseBatchNormReLU: fuseBatchNormReLU)
    }

    /// Lays out `specs`. Fusion: a ReLU right after a dense or conv layer runs inside that
    /// layer's passes, and a max-pool right after a conv's ReLU runs in the conv's epilogue too
    /// (LeNet-5's conv → ReLU → pool: two launches fewer each way, no pre-pool activation stored).
    /// A ReLU right after a BatchNorm runs in the BatchNorm's passes unless `fuseBatchNormReLU` is
    /// false (kept so `vdrop bench --bn-relu separate` can time the two); either way the parameters,
    /// their names and the arena layout are the same, since a ReLU has none.
    public init(specs: [LayerSpec], sampleShape: [Int], batch: Int, fuseBatchNormReLU: Bool = true) {
        precondition(batch > 0, "a batch holds at least one sample")
        self.batch = batch
        self.sampleShape = sampleShape
        var weightCount = 0, plainCount = 0, stateCount = 0, weightLayers = 0, norms = 0
        func reserve(_ count: Int, in total: inout Int) -> Range<Int> {
            defer { total += count }
            return total..<(total + count)
        }
        var shape = [batch] + sampleShape
        var stages: [Stage] = []
        var index = 0
        func nextIs(_ spec: LayerSpec) -> Bool {
            guard index < specs.count, specs[index] == spec else { return false }
            index += 1
            return true
        }
        while index < specs.count {
            let spec = specs[index]
            index += 1
            let input = shape
            switch spec {
            case .dense(let outputs):
                let inputs = shape.dropFirst().reduce(1, *)
                let relu = nextIs(.relu)
                weightLayers += 1
                shape = [batch, outputs]
                stages.append(Stage(operation: .dense(inputs: inputs, outputs: outputs, relu: relu), key: "dense\(weightLayers)",
                                    inputShape: input, outputShape: shape, weights: reserve(inputs * outputs, in: &weightCount),
                                    plain: reserve(outputs, in: &plainCount), beta: nil, state: nil))
            case .conv(let outChannels, let kernelSize, let padding):
                precondition(shape.count == 4, "a convolution needs an NCHW input")
                let geometry = ConvGeometry(batch: batch, inChannels: shape[1], height: shape[2], width: shape[3],
                                            outChannels: outChannels, kernelSize: kernelSize, padding: padding)
                var activation = ConvActivation.none
                if nextIs(.relu) { activation = nextIs(.maxPool) ? .reluMaxPool : .relu }
                weightLayers += 1
                shape = activation.outputShape(geometry)
                stages.append(Stage(operation: .conv(geometry, activation: activation), key: "conv\(weightLayers)",
                                    inputShape: input, outputShape: shape,
                                    weights: reserve(geometry.weightShape.reduce(1, *), in: &weightCount),
                                    plain: reserve(outChannels, in: &plainCount), beta: nil, state: nil))
            case .relu:
                stages.append(Stage(operation: .relu, key: nil, inputShape: input, outputShape: shape,
                                    weights: nil, plain: nil, beta: nil, state: nil))
            case .maxPool:
                shape = [shape[0], shape[1], shape[2] / 2, shape[3] / 2]
                stages.append(Stage(operation: .maxPool, key: nil, inputShape: input, outputShape: shape,
                                    weights: nil, plain: nil, beta: nil, state: nil))
            case .batchNorm:
                let channels = shape[1]
                norms += 1
                let relu = fuseBatchNormReLU && nextIs(.relu)
                let gamma = reserve(channels, in: &plainCount), beta = reserve(channels, in: &plainCount)
                stages.append(Stage(operation: .batchNorm(channels: channels, relu: relu), key: "bn\(norms)", inputShape: input, outputShape: shape,
                                    weights: nil, plain: gamma, beta: beta, state: reserve(channels, in: &stateCount)))
                stateCount += channels  // the running variances follow the means
            }
        }
        self.stages = stages
        self.weightCount = weightCount
        self.plainCount = plainCount
        self.stateCount = stateCount
        classes = shape.dropFirst().reduce(1, *)
        let convBytes = stages.reduce(0) { total, stage in
            guard case .conv(let g, _) = stage.operation else { return total }
            return total + 4 * 2 * (g.patchSize + g.outChannels) * g.batch * g.outPlane
        }
        sharesConvScratch = convBytes > Self.sharedScratchThreshold
    }

    /// The geometries of the conv layers, in order.
    public var convGeometries: [ConvGeometry] {
        stages.compactMap { if case .conv(let g, _) = $0.operation { return g } else { return nil } }
    }

    /// The stages with weights (dense and conv), in order; the i-th draws its noise from stream i.
    public var weightStages: [Stage] { stages.filter { $0.weights != nil } }

    /// Every stored tensor's name, in order: "conv1.theta", "conv1.log_sigma2", "conv1.bias",
    /// "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", … (PyTorch's names for
    /// BatchNorm), what checkpoints hold.
    public var parameterNames: [String] {
        stages.flatMap { stage -> [String] in
            guard let key = stage.key else { return [] }
            if stage.weights != nil { return ["\(key).theta", "\(key).log_sigma2", "\(key).bias"] }
            return ["\(key).weight", "\(key).bias", "\(key).running_mean", "\(key).running_var"]
        }
    }
}
