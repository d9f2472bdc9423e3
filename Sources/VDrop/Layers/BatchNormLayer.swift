/// Batch normalization over channels (NCHW, or [batch, features] after a dense layer), with
/// a following ReLU fused into its passes when `activation` is `.relu` (``ModelPlan``).
///
/// γ and β are plain parameters in the arena; the running statistics are state,
/// not trained, kept in the network's state storage so checkpoints carry them.
public final class BatchNormLayer: Layer {
    public let name: String
    /// The name its tensors are stored under ("bn1").
    public let key: String
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let channels: Int
    /// `.relu`: the output is max(γ·x̂ + β, 0), a ReLU layer's work done in this layer's passes.
    public let activation: FusedActivation
    /// PyTorch's defaults.
    public static let momentum: Float = 0.1
    public static let epsilon: Float = 1e-5
    let backend: any Backend
    let gamma: Tensor
    let beta: Tensor
    let gradGamma: Tensor
    let gradBeta: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    let saved: BatchNormSaved

    init(name: String, key: String, backend: any Backend, inputShape: [Int], activation: FusedActivation,
         gammaRange: Range<Int>, betaRange: Range<Int>, views: ParameterViews, runningMean: Tensor, runningVariance: Tensor) throws {
        self.name = name
        self.activation = activation
        self.key = key
        self.backend = backend
        self.inputShape = inputShape
        channels = inputShape[1]
        let arena = views.arena
        gamma = views.plain(gammaRange, shape: [channels], in: arena.parameters)
        beta = views.plain(betaRange, shape: [channels], in: arena.parameters)
        gradGamma = views.plain(gammaRange, shape: [channels], in: arena.gradients)
        gradBeta = views.plain(betaRange, shape: [channels], in: arena.gradients)
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        saved = try BatchNormSaved(backend: backend, channels: channels)
    }

    /// [batch, channels, values per channel]: the shape the operations take.
    private var channelShape: [Int] { [inputShape[0], channels, inputShape.dropFirst(2).reduce(1, *)] }

    public func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws {
        try backend.batchNormForward(input: input.reshaped(channelShape), gamma: gamma, beta: beta,
                                     output: output.reshaped(channelShape), runningMean: runningMean,
                                     runningVariance: runningVariance, saved: saved, training: mode.isTraining,
                                     momentum: Self.momentum, epsilon: Self.epsilon, activation: activation)
    }

    public func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws {
        // β and γ need their gradients even for a first layer; ∂L/∂x needs a destination.
        guard let gradInput else {
            preconditionFailure("BatchNorm as a network's first layer is not supported")
        }
        try backend.batchNormBackward(input: input.reshaped(channelShape), gamma: gamma,
                                      gradOutput: gradOutput.reshaped(channelShape), output: output.reshaped(channelShape),
                                      saved: saved, gradInput: gradInput.reshaped(channelShape), gradGamma: gradGamma,
                                      gradBeta: gradBeta, activation: activation)
    }
}
