/// How far an epoch has come: its steps done and the sums its metrics record will average.
///
/// A checkpoint written mid-epoch (training was interrupted) carries it, so that the resumed
/// run continues the epoch at its next step and the epoch's line in metrics.jsonl comes out
/// as if it had never stopped (but for its seconds and images/s, which count only time spent
/// training).
public struct EpochProgress: Codable, Equatable, Sendable {
    /// Steps of the epoch done (0 ..< steps per epoch).
    public var steps = 0
    /// Steps whose loss was read back, and the sums over them.
    public var recorded = 0
    public var dataSum = 0.0
    public var regularizerSum = 0.0
    public var errorSum = 0
    /// Wall-clock seconds of this epoch's training steps so far.
    public var seconds = 0.0
    /// The learning rate of the last step done.
    public var learningRate: Float = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case steps, recorded, seconds
        case dataSum = "data_sum", regularizerSum = "regularizer_sum", errorSum = "error_sum", learningRate = "lr"
    }

    /// Adds a step whose loss was read back.
    mutating func record(_ loss: StepLoss) {
        recorded += 1
        dataSum += loss.dataTerm
        regularizerSum += loss.regularizer
        errorSum += loss.errors
    }
}
