/// An objective whose parameters name no distribution (a Gamma prior with a ≤ ½ or b < 0, a negative α).
public struct InvalidObjective: Error, CustomStringConvertible, Equatable {
    public let objective: Objective
    /// What is wrong and what to do, as a sentence.
    public let description: String
}

extension Objective {
    /// Throws ``InvalidObjective`` unless the parameters are in range:
    /// `gamma` needs a > ½ (the ARD objective with a Gamma(a, b) hyperprior has no
    /// optimum for a ≤ ½, and 2a−1 appears inside a log) and b ≥ 0; `gaussian` needs α > 0
    /// (α = 0 is no noise at all: the `none` objective). All of them finite.
    public func validate() throws {
        switch self {
        case .gamma(let a, let b):
            guard a > 0.5, a.isFinite else {
                throw InvalidObjective(objective: self,
                                       description: "The Gamma hyperprior's shape a must be greater than 0.5 (got \(a)); choose for example a = 0.505.")
            }
            guard b >= 0, b.isFinite else {
                throw InvalidObjective(objective: self,
                                       description: "The Gamma hyperprior's rate b must be zero or positive (got \(b)); choose for example b = 1e-8.")
            }
        case .gaussian(let alpha):
            guard alpha > 0, alpha.isFinite else {
                throw InvalidObjective(objective: self,
                                       description: "Gaussian dropout's rate alpha must be positive and finite (got \(alpha)); for no noise at all use the objective none.")
            }
        case .ard, .svdo, .none:
            return
        }
    }
}
