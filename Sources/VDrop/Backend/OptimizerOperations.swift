/// The regularizers and the Adam update over the parameter arena.
///
/// Arena layout, shared by parameters, gradients and both Adam moments, each of
/// count 2W + P: [θ of all layers (W) | log σ² of all layers, same order (W) | plain parameters (P)].
/// In the gradient arena the middle segment holds ∂L/∂σ² as the layers wrote it.
public protocol OptimizerOperations: BackendCore {
    /// output[0] = Σ_i R(θ_i, log σ²_i) over `theta` and `logSigma2` (same count), R per
    /// ``Regularizer``; 0 for `.gaussian` and `.none`. The Gamma constant C is not included.
    func regularizerValue(objective: Objective, theta: Tensor, logSigma2: Tensor, into output: Tensor) throws

    /// gradTheta += scale·∂R/∂θ and gradLogSigma2 += scale·∂R/∂log σ². Training fuses this into
    /// ``adamUpdate(objective:parameters:gradients:firstMoment:secondMoment:weightCount:settings:)``;
    /// it stays in the product as the regularizer's gradient on its own, on each backend: the
    /// tests hold it to central finite differences of ``regularizerValue(objective:theta:logSigma2:into:)``
    /// and the fused update to it, which is how a wrong derivative in the fused kernel is found.
    func addRegularizerGradient(objective: Objective, theta: Tensor, logSigma2: Tensor, scale: Float,
                                gradTheta: Tensor, gradLogSigma2: Tensor) throws

    /// One fused pass over the arena. For weight i < W with θ = p[i], ℓ = p[W+i] and k the
    /// parameterization's ``Parameterization/logSigma2PerTrained`` (Adam trains q = ℓ/k):
    /// g_θ = grad[i] + w·∂R/∂θ; g_q = k·(exp(ℓ)·grad[W+i] + w·∂R/∂ℓ) (only when the objective
    /// trains the variance; otherwise ℓ, m and v there stay as they are); plain i ≥ 2W: g = grad[i].
    /// Then m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², x −= lr·m̂/(√v̂ + ε) with
    /// m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), for x = θ, q or the plain parameter; ℓ = k·q,
    /// and finally ℓ = min(ℓ, logSigma2Max) when set.
    func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                    secondMoment: Tensor, weightCount: Int, settings: AdamSettings) throws

    /// The same update over `seeds` arenas laid back to back in each tensor (seed-major: seed s's
    /// arena of count 2W + P starts at s·(2W + P)), one launch where the backend can: every
    /// value gets exactly the bits the single-arena update gives it. A seed batch's update.
    func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                    secondMoment: Tensor, weightCount: Int, seeds: Int, settings: AdamSettings) throws
}

extension OptimizerOperations {
    /// One update per seed's arena, in seed order (the CPU backend's loops are elementwise, so
    /// this is the batched update; a device overrides it with one launch).
    public func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                           secondMoment: Tensor, weightCount: Int, seeds: Int, settings: AdamSettings) throws {
        let arena = OperationShapes.seedArena(parameters: parameters, seeds: seeds)
        for seed in 0..<seeds {
            func slice(_ tensor: Tensor) -> Tensor { tensor.slice(from: seed * arena, shape: [arena]) }
            try adamUpdate(objective: objective, parameters: slice(parameters), gradients: slice(gradients),
                           firstMoment: slice(firstMoment), secondMoment: slice(secondMoment),
                           weightCount: weightCount, settings: settings)
        }
    }
}

/// Every operation a training step needs: what both backends implement.
public typealias Backend = BackendCore & LRTLayerOperations & ActivationOperations & LossOperations & OptimizerOperations & DataOperations & InferenceOperations
