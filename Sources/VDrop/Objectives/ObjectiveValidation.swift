/// An objective whose parameters name no distribution (a Gamma prior with a ≤ ½ or b < 0, a
/// negative α): a sentence naming the setting to change.
public struct InvalidObjective: SettingWordedError, Equatable {
    public let objective: Objective
    /// What is wrong and what to do.
    public let wording: SettingMessage
}

extension Objective {
    /// Throws ``InvalidObjective`` unless the parameters are in range. This is the one place
    /// these rules live: `gamma` needs a > ½ (the ARD objective with a Gamma(a, b) hyperprior
    /// has no optimum for a ≤ ½, and 2a−1 appears inside a log) and b ≥ 0; `gaussian` needs
    /// α > 0 (α = 0 is no noise at all: the `none` objective). All of them finite.
    public func validate() throws {
        switch self {
        case .gamma(let a, let b):
            guard a > 0.5, a.isFinite else {
                throw InvalidObjective(objective: self, wording:
                    "The Gamma hyperprior needs a > 1/2 (its shape a must be greater than 0.5 for the MAP-II optimum to exist); got \(.gammaA) \(a). Choose for example a = 0.505.")
            }
            guard b >= 0, b.isFinite else {
                throw InvalidObjective(objective: self, wording:
                    "The Gamma hyperprior needs b ≥ 0 (its rate b must be zero or positive, and finite); got \(.gammaB) \(b). Choose for example b = 1e-8.")
            }
        case .gaussian(let alpha):
            guard alpha > 0, alpha.isFinite else {
                throw InvalidObjective(objective: self, wording:
                    "Gaussian dropout's rate α must be positive and finite; got \(.alpha) \(alpha). For no noise at all use the objective none.")
            }
        case .ard, .svdo, .none:
            return
        }
    }
}
