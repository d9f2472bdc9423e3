import Foundation

/// Everything that defines a training run. A run is a pure function of it (and the data):
/// checkpoints store it, `--resume` restores it, results repeat it.
///
/// Defaults are the paper's recipe (Appendix A): Adam on θ and log σ with lr 1e-3, batch 100,
/// 200 epochs, lr decayed linearly to 0 from epoch 100, the regularizer annealed
/// in over 20 epochs, scale 1 (0.05 for vgglike's ARD and Sparse VD; the Gamma prior unscaled).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    public var model: ModelKind = .lenet5
    public var objective: ObjectiveKind = .ard
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
    /// How weights are trimmed before evaluation.
    public var trim: TrimRule = .paper
    /// Read the loss back every this many steps (progress and the NaN check).
    public var logEvery: Int = 50
    /// Which variable of the variance Adam trains: the paper's log σ by default.
    public var parameterization: Parameterization = .logSigma
    /// Trained dense weights the run starts from (`--init-from`, ``InitialWeights``) instead of
    /// the paper's random initialization; nil for a run from scratch.
    public var initFrom: String?

    /// The longest run accepted: far beyond any recipe, and small enough that step counts
    /// (epochs × steps per epoch) stay well inside Int.
    public static let maximumEpochs = 1_000_000
    /// The largest learning rate accepted: Adam moves each parameter by about lr per step, and
    /// log σ² or θ moving by more than 1 per step is no longer training.
    public static let maximumLearningRate: Float = 1

    public init() {}

    /// Reads a configuration saved by this or an earlier version: a field an earlier version did
    /// not write takes the value that version used (``Parameterization/beforeTheChoice`` for
    /// `parameterization`), every other missing field its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingConfiguration()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        // Names are read as text and parsed, so a wrong one is a sentence, not a decoding dump.
        model = try c.decodeIfPresent(String.self, forKey: .model).map(ModelKind.init(parsing:)) ?? defaults.model
        objective = try c.decodeIfPresent(String.self, forKey: .objective).map(ObjectiveKind.init(parsing:)) ?? defaults.objective
        gammaA = try value(.gammaA, defaults.gammaA)
        gammaB = try value(.gammaB, defaults.gammaB)
        alpha = try value(.alpha, defaults.alpha)
        epochs = try value(.epochs, defaults.epochs)
        batch = try value(.batch, defaults.batch)
        learningRate = try value(.learningRate, defaults.learningRate)
        decayFrom = try value(.decayFrom, defaults.decayFrom)
        annealEpochs = try value(.annealEpochs, defaults.annealEpochs)
        regularizerScale = try c.decodeIfPresent(Float.self, forKey: .regularizerScale)
        logSigma2Max = try c.decodeIfPresent(Float.self, forKey: .logSigma2Max)
        seed = try value(.seed, defaults.seed)
        trim = try c.decodeIfPresent(String.self, forKey: .trim).map(TrimRule.init(parsing:)) ?? defaults.trim
        logEvery = try value(.logEvery, defaults.logEvery)
        parameterization = try value(.parameterization, Parameterization.beforeTheChoice)
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
    }

    /// The objective with its parameters; throws when they are out of range
    /// (``Objective/validate()`` holds the rules).
    public func resolvedObjective() throws -> Objective {
        let resolved: Objective
        switch objective {
        case .ard: resolved = .ard
        case .svdo: resolved = .svdo
        case .gamma: resolved = .gamma(a: gammaA, b: gammaB)
        case .gaussian: resolved = .gaussian(alpha: alpha)
        case .none: resolved = .none
        }
        try resolved.validate()
        return resolved
    }

    /// s as used: the flag, or the recipe's default: the Gamma prior is never scaled (the paper's
    /// Table 2 leaves it as it is), the other objectives take the model's default.
    public var effectiveRegularizerScale: Float {
        regularizerScale ?? (objective == .gamma ? 1 : model.defaultRegularizerScale)
    }

    /// The log σ² clip as used: the flag, or −8 (log σ < −4) for the Gamma recipe.
    public var effectiveLogSigma2Max: Float? { logSigma2Max ?? (objective == .gamma ? -8 : nil) }

    /// Checks every value; throws a sentence naming the flag and what it accepts. Every
    /// number must be finite: an infinite schedule or prior has no meaning and would only
    /// show up epochs later as a NaN.
    public func validate(trainingSetSize: Int? = nil) throws {
        guard gammaA.isFinite else { throw ConfigurationError("\(.gammaA) must be a finite number; got \(gammaA).") }
        guard gammaB.isFinite else { throw ConfigurationError("\(.gammaB) must be a finite number; got \(gammaB).") }
        guard alpha.isFinite else { throw ConfigurationError("\(.alpha) must be a finite number; got \(alpha).") }
        _ = try resolvedObjective()
        guard epochs >= 1, epochs <= Self.maximumEpochs else {
            throw ConfigurationError("\(.epochs) must lie between 1 and \(Self.maximumEpochs); got \(epochs).")
        }
        guard batch >= 1 else { throw ConfigurationError("\(.batch) must be at least 1; got \(batch).") }
        if let n = trainingSetSize, batch > n {
            throw ConfigurationError("\(.batch) \(batch) is larger than the training set (\(n) samples).")
        }
        guard learningRate > 0, learningRate <= Self.maximumLearningRate else {
            throw ConfigurationError("\(.learningRate) must be a number above 0 and at most \(Self.maximumLearningRate); got \(learningRate).")
        }
        guard decayFrom >= 0, decayFrom <= Double(epochs) else {
            throw ConfigurationError("\(.decayFrom) must lie between 0 and \(.epochs) (\(epochs)); got \(decayFrom).")
        }
        guard annealEpochs >= 0, annealEpochs.isFinite else {
            throw ConfigurationError("\(.annealEpochs) must be a finite number, 0 or more; got \(annealEpochs).")
        }
        if let s = regularizerScale, !(s >= 0 && s.isFinite) {
            throw ConfigurationError("\(.regularizerScale) must be a finite number, 0 or more; got \(s).")
        }
        if let clip = logSigma2Max, !clip.isFinite { throw ConfigurationError("\(.logSigma2Max) must be a finite number; got \(clip).") }
        guard logEvery >= 1 else { throw ConfigurationError("\(.logEvery) must be at least 1; got \(logEvery).") }
    }

    /// The seeds of a `--seeds count` run: seed, seed + 1, …, seed + count − 1; throws when
    /// they would pass UInt64's largest value.
    public static func seeds(from seed: UInt64, count: Int) throws -> [UInt64] {
        guard count >= 1 else { throw ConfigurationError("\(.seeds) must be at least 1; got \(count).") }
        guard UInt64(count - 1) <= UInt64.max - seed else {
            throw ConfigurationError("\(.seed) \(seed) with \(.seeds) \(count) would pass the largest seed, \(UInt64.max); choose a seed at most \(UInt64.max - UInt64(count - 1)).")
        }
        return (0..<count).map { seed + UInt64($0) }
    }
}

