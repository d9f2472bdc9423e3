import Foundation

/// Everything that defines a training run. A run is a pure function of it (and the data):
/// checkpoints store it, `--resume` restores it, results repeat it.
///
/// Defaults are the paper's recipe (Appendix A): Adam with lr 1e-3, batch 100,
/// 200 epochs, lr decayed linearly to 0 from epoch 100, the regularizer annealed
/// in over 20 epochs, scale 1 (0.05 for vgglike).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var model: String = ModelKind.lenet5.rawValue
    /// `ard`, `svdo`, `gamma`, `gaussian` or `none`.
    public var objective: String = "ard"
    /// The Gamma hyperprior's shape a (> ½) and rate b (≥ 0).
    public var gammaA: Float = 0.505
    public var gammaB: Float = 1e-8
    /// Gaussian dropout's fixed α.
    public var alpha: Float = 1
    public var epochs: Int = 200
    public var batch: Int = 100
    public var learningRate: Float = 1e-3
    /// The epoch from which the learning rate falls linearly to 0 at `epochs`.
    public var decayFrom: Double = 100
    /// Epochs over which β_t rises linearly from 0 to 1 (0: β_t = 1 from the start).
    public var annealEpochs: Double = 20
    /// s, the regularizer scale; nil means the model's default (1, or 0.05 for vgglike).
    public var regularizerScale: Float?
    /// Upper clip on log σ²; nil means none, except the Gamma recipe's −8 for `gamma`.
    public var logSigma2Max: Float?
    public var seed: UInt64 = 1
    /// How weights are trimmed before evaluation: "mu", "mu:0.01", "logalpha", "logalpha:3".
    public var trim: String = "mu"
    /// Read the loss back every this many steps (progress and the NaN check).
    public var logEvery: Int = 50

    public init() {}

    public var modelKind: ModelKind { ModelKind(rawValue: model) ?? .lenet5 }

    /// The objective with its parameters; throws when they are out of range.
    public func resolvedObjective() throws -> Objective {
        switch objective {
        case "ard": return .ard
        case "svdo": return .svdo
        case "gamma":
            guard gammaA > 0.5 else {
                throw ConfigurationError("The Gamma hyperprior needs a > 1/2 (the MAP-II optimum exists only then); got --a \(gammaA).")
            }
            guard gammaB >= 0 else { throw ConfigurationError("The Gamma hyperprior needs b ≥ 0; got --b \(gammaB).") }
            return .gamma(a: gammaA, b: gammaB)
        case "gaussian":
            guard alpha > 0 else { throw ConfigurationError("Gaussian dropout needs α > 0; got --alpha \(alpha).") }
            return .gaussian(alpha: alpha)
        case "none": return .none
        default:
            throw ConfigurationError("\"\(objective)\" is not an objective; use ard, svdo, gamma, gaussian or none.")
        }
    }

    /// s as used: the flag, or the model's default.
    public var effectiveRegularizerScale: Float { regularizerScale ?? modelKind.defaultRegularizerScale }

    /// The log σ² clip as used: the flag, or −8 (log σ < −4) for the Gamma recipe.
    public var effectiveLogSigma2Max: Float? { logSigma2Max ?? (objective == "gamma" ? -8 : nil) }

    /// Checks every value; throws a sentence naming the flag and what it accepts.
    public func validate(trainingSetSize: Int? = nil) throws {
        guard ModelKind(rawValue: model) != nil else {
            throw ConfigurationError("\"\(model)\" is not a model; use \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        _ = try resolvedObjective()
        _ = try TrimRule(parsing: trim)
        guard epochs >= 1 else { throw ConfigurationError("--epochs must be at least 1; got \(epochs).") }
        guard batch >= 1 else { throw ConfigurationError("--batch must be at least 1; got \(batch).") }
        if let n = trainingSetSize, batch > n {
            throw ConfigurationError("--batch \(batch) is larger than the training set (\(n) samples).")
        }
        guard learningRate > 0, learningRate.isFinite else { throw ConfigurationError("--lr must be a positive number; got \(learningRate).") }
        guard decayFrom >= 0, decayFrom <= Double(epochs) else {
            throw ConfigurationError("--decay-from must lie between 0 and --epochs (\(epochs)); got \(decayFrom).")
        }
        guard annealEpochs >= 0 else { throw ConfigurationError("--anneal-epochs must be 0 or more; got \(annealEpochs).") }
        if let s = regularizerScale, !(s >= 0 && s.isFinite) {
            throw ConfigurationError("--reg-scale must be 0 or more; got \(s).")
        }
        if let clip = logSigma2Max, !clip.isFinite { throw ConfigurationError("--log-sigma2-max must be a finite number.") }
        guard logEvery >= 1 else { throw ConfigurationError("--log-every must be at least 1; got \(logEvery).") }
    }
}

/// A flag or a combination of flags out of range, said as a sentence.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
