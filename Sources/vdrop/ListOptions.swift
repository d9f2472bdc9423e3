import VDrop

extension ModelKind {
    /// The models a `--models` option names (comma- or space-separated), or nil if one is
    /// unknown or none is named.
    static func list(_ arguments: [String]) -> [ModelKind]? {
        let names = arguments.flatMap { $0.split(separator: ",") }
        let kinds = names.compactMap { ModelKind(rawValue: String($0)) }
        return !kinds.isEmpty && kinds.count == names.count ? kinds : nil
    }

    static let listHelp = "--models takes lenet300, lenet5 and vgglike, separated by commas."
}

extension Objective {
    /// The objectives an `--objectives` option names (comma- or space-separated, with the
    /// defaults of `train` for gamma's a and b and gaussian's α), or nil if one is unknown or
    /// none is named.
    static func list(_ arguments: [String]) -> [Objective]? {
        let names = arguments.flatMap { $0.split(separator: ",") }
        let objectives = names.compactMap { name -> Objective? in
            guard let kind = ObjectiveKind(rawValue: String(name)) else { return nil }
            var c = TrainingConfiguration()
            c.objective = kind
            return try? c.resolvedObjective()
        }
        return !objectives.isEmpty && objectives.count == names.count ? objectives : nil
    }

    static let listHelp = "--objectives takes ard, svdo, gamma, gaussian and none, separated by commas."
}
