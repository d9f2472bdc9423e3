/// Which objective a run trains, by name; its parameters (a, b, α) sit beside it in
/// ``TrainingConfiguration`` and ``TrainingConfiguration/resolvedObjective()`` joins them into an
/// ``Objective``.
public enum ObjectiveKind: String, CaseIterable, Codable, Sendable, NamedChoice {
    public static let choiceName = "an objective"

    /// ARD dropout, the paper's eq. (3).
    case ard
    /// Sparse variational dropout, eq. (4).
    case svdo
    /// ARD with a Gamma(a, b) hyperprior (Section 4).
    case gamma
    /// Gaussian dropout with a fixed α.
    case gaussian
    /// A plain network.
    case none
}

extension Objective {
    /// The objective's name.
    public var kind: ObjectiveKind {
        switch self {
        case .ard: return .ard
        case .svdo: return .svdo
        case .gamma: return .gamma
        case .gaussian: return .gaussian
        case .none: return .none
        }
    }
}
