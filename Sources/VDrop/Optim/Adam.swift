/// Adam (Kingma & Ba, with bias correction) over a network's parameter arena: its
/// hyperparameters, its two moments (laid out like the arena) and its step, in one place.
///
/// The update's arithmetic is the backends' (`adamUpdate`: one fused pass that adds the
/// regularizer's gradient, steps the trained variable and clips log σ²), on constants both
/// compute alike (``AdamStepConstants``). A checkpoint stores the moments under
/// ``namedMoments``' names, so a resumed run continues the same update.
public final class Adam {
    /// The paper's (Appendix A) and PyTorch's defaults.
    public static let beta1: Float = 0.9
    public static let beta2: Float = 0.999
    public static let epsilon: Float = 1e-8

    static let firstMomentName = "optimizer.adam_first_moment"
    static let secondMomentName = "optimizer.adam_second_moment"

    /// m and v, each 2W + P values in the arena's layout.
    public let firstMoment: Tensor
    public let secondMoment: Tensor
    private let backend: Backend

    convenience init(backend: Backend, arena: ParameterArena) throws {
        try self.init(backend: backend, firstMoment: backend.allocate([arena.count]), secondMoment: backend.allocate([arena.count]))
    }

    /// Moments in tensors allocated elsewhere: one seed's part of a ``SeedBatch``'s storage.
    init(backend: Backend, firstMoment: Tensor, secondMoment: Tensor) {
        precondition(firstMoment.count == secondMoment.count, "Adam's moments hold the same number of values")
        self.backend = backend
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// The moments by their checkpoint names.
    var namedMoments: [(name: String, tensor: Tensor)] {
        [(Self.firstMomentName, firstMoment), (Self.secondMomentName, secondMoment)]
    }

    /// Zeroes both moments: a fresh optimizer (a new run, or `--init-from` weights).
    func reset() throws {
        try backend.fill(firstMoment, with: 0)
        try backend.fill(secondMoment, with: 0)
    }

    /// One update of `arena` from its gradients: `settings.step` is Adam's 1-based t. An
    /// objective that does not train log σ² gets no regularizer gradient.
    func step(_ settings: AdamSettings, objective: Objective, arena: ParameterArena) throws {
        try backend.adamUpdate(objective: objective, parameters: arena.parameters, gradients: arena.gradients,
                               firstMoment: firstMoment, secondMoment: secondMoment,
                               weightCount: arena.weightCount, settings: Self.asUsed(settings, objective: objective))
    }

    /// One update of `seeds` arenas and their moments, each laid out seed after seed in one
    /// tensor (a ``SeedBatch``): one launch where the backend can, the same bits per seed.
    static func step(_ settings: AdamSettings, objective: Objective, parameters: Tensor, gradients: Tensor,
                     firstMoment: Tensor, secondMoment: Tensor, weightCount: Int, seeds: Int, backend: Backend) throws {
        try backend.adamUpdate(objective: objective, parameters: parameters, gradients: gradients, firstMoment: firstMoment,
                               secondMoment: secondMoment, weightCount: weightCount, seeds: seeds,
                               settings: asUsed(settings, objective: objective))
    }

    /// No regularizer gradient for an objective that does not train the variances.
    private static func asUsed(_ settings: AdamSettings, objective: Objective) -> AdamSettings {
        var settings = settings
        if !objective.trainsLogSigma2 { settings.regularizerWeight = 0 }
        return settings
    }

    /// Whether a stored moment can be resumed from: Adam divides by √v, so a negative or
    /// non-finite moment would turn every step to NaN.
    static func isUsable(_ values: [Float], name: String) -> Bool {
        values.allSatisfy { $0.isFinite } && (name != secondMomentName || values.allSatisfy { $0 >= 0 })
    }
}
