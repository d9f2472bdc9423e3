import Foundation

/// How weights are set to zero after training, before evaluation.
public enum TrimRule: Equatable, Sendable, CustomStringConvertible, Codable {
    /// Zero weights with |θ| < threshold (the paper: 1e-2).
    case mu(threshold: Float)
    /// Zero weights with log α = log σ² − log θ² ≥ threshold, unclipped (Sparse VD: 3).
    case logAlpha(threshold: Float)

    /// Parses `mu`, `mu:T`, `logalpha` or `logalpha:T`.
    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let threshold: Float?
        if parts.count == 2 {
            guard let value = Float(parts[1]), value.isFinite else {
                throw ConfigurationError("\"\(text)\": the trimming threshold after ':' must be a number.")
            }
            threshold = value
        } else {
            threshold = nil
        }
        switch parts.first {
        case "mu":
            let t = threshold ?? 1e-2
            guard t >= 0 else { throw ConfigurationError("\"\(text)\": the |θ| threshold must be 0 or more.") }
            self = .mu(threshold: t)
        case "logalpha": self = .logAlpha(threshold: threshold ?? 3)
        default: throw ConfigurationError("\"\(text)\" is not a trimming rule; use mu[:threshold] or logalpha[:threshold].")
        }
    }

    /// Whether a weight with mean θ and log σ² ℓ is kept.
    @inline(__always)
    public func keeps(theta: Float, logSigma2: Float) -> Bool {
        switch self {
        case .mu(let t): return abs(theta) >= t
        case .logAlpha(let t): return theta != 0 && logSigma2 - log(theta * theta) < t
        }
    }

    /// Stored as the text ``init(parsing:)`` reads (`mu:0.01`), as earlier versions stored it.
    public init(from decoder: Decoder) throws {
        self = try TrimRule(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The paper's rule: |θ| < 1e-2 is zero.
    public static let paper = TrimRule.mu(threshold: 1e-2)

    public var description: String {
        switch self {
        case .mu(let t): return "mu:\(t)"
        case .logAlpha(let t): return "logalpha:\(t)"
        }
    }
}
