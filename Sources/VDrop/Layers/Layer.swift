/// How a forward pass draws weights.
public enum ForwardMode: Equatable, Sendable {
    /// Training: weights drawn per `noise`; ε from `key` with the layer's own stream.
    case training(noise: WeightNoise, key: NoiseKey)
    /// Evaluation: deterministic weights (means, after trimming), BatchNorm on running statistics.
    case evaluation

    /// The noise a layer applies, and the key with its stream set to `stream`.
    func layerNoise(stream: UInt32) -> (WeightNoise, NoiseKey) {
        switch self {
        case .training(let noise, var key):
            key.stream = stream
            return (noise, key)
        case .evaluation:
            return (.deterministic, NoiseKey(seed: 0, step: 0, stream: stream))
        }
    }

    var isTraining: Bool { if case .training = self { return true } else { return false } }
}

/// One stage of a network. A layer's buffers (parameters as views into the
/// network's arenas, workspaces) are all allocated when the network is built;
/// forward and backward only enqueue work.
public protocol Layer: AnyObject {
    /// e.g. "dense1 784→300" for summaries and per-layer reports.
    var name: String { get }
    /// The shape it reads, batch first.
    var inputShape: [Int] { get }
    /// The shape it writes, batch first.
    var outputShape: [Int] { get }

    /// Writes `output` from `input`.
    func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws

    /// From ∂L/∂output writes its parameter gradients (into the gradient arena) and,
    /// unless `gradInput` is nil, ∂L/∂input. `input`, `output` and `mode` are the forward pass's.
    func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws
}

/// A layer with weights that carry a posterior variance (dense and conv).
public protocol WeightLayer: Layer {
    /// The name its tensors are stored and reported under ("dense1", "conv2"), from the plan.
    var key: String { get }
    /// θ, σ² and b as views into the arenas.
    var weights: LRTWeights { get }
    /// Its position and count within the θ segment (the same within log σ²).
    var weightRange: Range<Int> { get }
    /// Inputs that feed one output (in, or in·k·k): sets the initial θ's scale.
    var fanIn: Int { get }
}
