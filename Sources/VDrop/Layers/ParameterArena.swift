/// The arenas training keeps — parameters and gradients, and (in ``Adam``) the optimizer's
/// two moments — with one layout: [θ of every weight layer (W) | log σ² in the same order (W) |
/// plain (P)].
///
/// Because every trainable value sits in one storage per arena, zeroing is one
/// fill and the Adam update (with the regularizer gradient fused in) is one launch.
/// A fifth tensor holds σ² (W values), computed once per step from θ and log σ².
public final class ParameterArena {
    public let weightCount: Int
    public let plainCount: Int
    public let parameters: Tensor
    public let gradients: Tensor
    public let variance: Tensor

    /// Total values in each arena: 2W + P.
    public var count: Int { 2 * weightCount + plainCount }

    convenience init(backend: BackendCore, weightCount: Int, plainCount: Int) throws {
        let count = 2 * weightCount + plainCount
        try self.init(weightCount: weightCount, plainCount: plainCount,
                      parameters: backend.allocate([count]), gradients: backend.allocate([count]),
                      variance: backend.allocate([max(weightCount, 1)]))
    }

    /// An arena in tensors allocated elsewhere: one seed's part of a ``SeedBatch``'s storage.
    init(weightCount: Int, plainCount: Int, parameters: Tensor, gradients: Tensor, variance: Tensor) {
        let count = 2 * weightCount + plainCount
        precondition([parameters, gradients].allSatisfy { $0.count == count }
                     && variance.count >= weightCount, "an arena's tensors hold 2W + P values (σ²: W)")
        self.weightCount = weightCount
        self.plainCount = plainCount
        self.parameters = parameters
        self.gradients = gradients
        self.variance = variance
    }

    /// The θ segment of an arena tensor (parameters, gradients or a moment).
    public func thetaSegment(of arena: Tensor) -> Tensor { arena.slice(from: 0, shape: [weightCount]) }
    /// The log σ² segment (∂L/∂σ² in the gradient arena).
    public func logSigma2Segment(of arena: Tensor) -> Tensor { arena.slice(from: weightCount, shape: [weightCount]) }
    /// σ² of all weights.
    public var varianceSegment: Tensor { variance.slice(from: 0, shape: [weightCount]) }
}

/// Where one layer's trainable values sit in the arenas, resolved to tensors.
public struct ParameterViews {
    let arena: ParameterArena

    /// θ of `range`, as a tensor of `shape`, in `tensor` (an arena: parameters, gradients, moments).
    func theta(_ range: Range<Int>, shape: [Int], in tensor: Tensor) -> Tensor {
        tensor.slice(from: range.lowerBound, shape: shape)
    }

    func logSigma2(_ range: Range<Int>, shape: [Int], in tensor: Tensor) -> Tensor {
        tensor.slice(from: arena.weightCount + range.lowerBound, shape: shape)
    }

    func variance(_ range: Range<Int>, shape: [Int]) -> Tensor {
        arena.variance.slice(from: range.lowerBound, shape: shape)
    }

    func plain(_ range: Range<Int>, shape: [Int], in tensor: Tensor) -> Tensor {
        tensor.slice(from: 2 * arena.weightCount + range.lowerBound, shape: shape)
    }

    /// θ, σ² and b of a dense or conv layer whose weights (of `shape`) sit at `weights` and bias at `bias`.
    func lrtWeights(_ weights: Range<Int>, bias: Range<Int>, shape: [Int]) -> LRTWeights {
        LRTWeights(theta: theta(weights, shape: shape, in: arena.parameters), variance: variance(weights, shape: shape),
                   bias: plain(bias, shape: [shape[0]], in: arena.parameters))
    }

    /// Where that layer's backward pass writes ∂θ, ∂σ² and ∂b.
    func lrtGradients(_ weights: Range<Int>, bias: Range<Int>, shape: [Int]) -> LRTGradients {
        LRTGradients(theta: theta(weights, shape: shape, in: arena.gradients), variance: logSigma2(weights, shape: shape, in: arena.gradients),
                     bias: plain(bias, shape: [shape[0]], in: arena.gradients))
    }
}
