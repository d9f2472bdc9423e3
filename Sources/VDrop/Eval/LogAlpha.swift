import Foundation

/// log α = log σ² − log θ², the log dropout rate of a weight: large where the posterior's
/// noise swamps its mean (a weight the network can lose), small where the mean stands out.
///
/// The report and the metrics add 1e-16 to θ² as the svdo regularizer does (DESIGN.md), so a
/// weight whose θ is exactly 0 gets a large finite log α (about log σ² + 37) instead of +∞,
/// which neither JSON nor a histogram could hold. The `logalpha` trim rule keeps its own
/// exact, unclipped test (``TrimRule/keeps(theta:logSigma2:)``).
public enum LogAlpha {
    public static let thetaSquaredFloor: Float = 1e-16

    @inline(__always)
    public static func of(theta: Float, logSigma2: Float) -> Float {
        logSigma2 - log(theta * theta + thetaSquaredFloor)
    }

    /// log₁₀|θ|, with |θ| floored at 1e-30 so that θ = 0 lands in a histogram's first bin.
    @inline(__always)
    public static func log10AbsTheta(_ theta: Float) -> Float {
        log10(max(abs(theta), 1e-30))
    }
}
