/// One Adam update's settings (Kingma & Ba, with bias correction).
public struct AdamSettings: Equatable, Sendable {
    public var learningRate: Float
    public var beta1: Float = Adam.beta1
    public var beta2: Float = Adam.beta2
    public var epsilon: Float = Adam.epsilon
    /// 1-based count of updates including this one (for the bias correction).
    public var step: Int
    /// β_t·s: how much of ∂R the update adds to the data gradient.
    public var regularizerWeight: Float
    /// Upper clip on log σ² after the update (the Gamma recipe's −8, i.e. log σ < −4), or nil.
    /// The same bound whichever variable is trained: ℓ ≤ c exactly when ℓ/k ≤ c/k.
    public var logSigma2Max: Float?
    /// Which variable of the variance Adam trains (its moments are that variable's).
    public var parameterization: Parameterization

    public init(learningRate: Float, step: Int, regularizerWeight: Float, logSigma2Max: Float? = nil,
                parameterization: Parameterization = .logSigma) {
        self.learningRate = learningRate
        self.step = step
        self.regularizerWeight = regularizerWeight
        self.logSigma2Max = logSigma2Max
        self.parameterization = parameterization
    }
}
