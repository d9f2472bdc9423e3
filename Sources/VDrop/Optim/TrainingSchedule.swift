/// The learning rate and the regularizer's weight over a run (paper, Appendix A).
///
/// With e the fractional epoch (steps done / steps per epoch):
/// lr(e) = lr·min(1, (E − e)/(E − E_decay)), falling linearly to 0 at the last epoch E
/// from E_decay on; β(e) = min(1, e/E_anneal), rising linearly from 0 (per step);
/// the regularizer enters the loss as β·s.
public struct TrainingSchedule: Equatable, Sendable {
    public let learningRate: Float
    public let epochs: Double
    public let decayFrom: Double
    public let annealEpochs: Double
    public let regularizerScale: Float
    public let stepsPerEpoch: Int

    public init(learningRate: Float, epochs: Double, decayFrom: Double, annealEpochs: Double, regularizerScale: Float,
                stepsPerEpoch: Int) {
        self.learningRate = learningRate
        self.epochs = epochs
        self.decayFrom = decayFrom
        self.annealEpochs = annealEpochs
        self.regularizerScale = regularizerScale
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
    }

    /// The fractional epoch at the start of 0-based `step`.
    public func epoch(atStep step: Int) -> Double { Double(step) / Double(stepsPerEpoch) }

    public func learningRate(atStep step: Int) -> Float {
        let e = epoch(atStep: step)
        if epochs <= decayFrom { return learningRate }
        return learningRate * Float(max(0, min(1, (epochs - e) / (epochs - decayFrom))))
    }

    /// β_t, the annealing weight in [0, 1].
    public func beta(atStep step: Int) -> Float {
        if annealEpochs <= 0 { return 1 }
        return Float(min(1, epoch(atStep: step) / annealEpochs))
    }

    /// β_t·s, the regularizer's weight in the loss at `step`.
    public func regularizerWeight(atStep step: Int) -> Float { beta(atStep: step) * regularizerScale }
}
