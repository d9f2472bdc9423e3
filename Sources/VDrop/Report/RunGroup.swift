import Foundation

/// Runs that differ only in their seed (a --seeds run, or one a of a sweep): the report
/// draws their mean with a band of ± one standard deviation, and gives them one table row.
public struct RunGroup {
    public var label: String
    public var runs: [ReportRun]
    /// What sets the group apart from the others ("a = 0.505", "svdo"), for tables.
    public var distinction: [String: String]

    public var configuration: TrainingConfiguration? { runs.first?.configuration }

    /// A per-epoch value over the runs: its mean and sample standard deviation (0 for one run)
    /// at each epoch where every run has it.
    public func curve(_ value: (EpochRecord) -> Double?) -> (epochs: [Double], mean: [Double], std: [Double]) {
        var perEpoch: [Int: [Double]] = [:]
        for run in runs {
            for record in run.records { if let v = value(record), v.isFinite { perEpoch[record.epoch, default: []].append(v) } }
        }
        let epochs = perEpoch.keys.sorted().filter { perEpoch[$0]!.count == runs.count }
        let stats = epochs.map { MeanStd(perEpoch[$0]!) }
        return (epochs.map(Double.init), stats.map(\.mean), stats.map(\.std))
    }

    public var error: MeanStd { MeanStd(runs.compactMap(\.finalError)) }
    public var compression: MeanStd { MeanStd(runs.compactMap(\.finalCompression)) }

    /// The last epoch's per-layer metrics, averaged over the runs (nil when a run has none).
    public var finalLayers: [LayerMetrics]? {
        let perRun = runs.compactMap { $0.records.last?.layers }
        guard perRun.count == runs.count, let first = perRun.first, perRun.allSatisfy({ $0.map(\.layer) == first.map(\.layer) }) else { return nil }
        return first.indices.map { i in
            func mean(_ f: (LayerMetrics) -> Double) -> Double { perRun.map { f($0[i]) }.reduce(0, +) / Double(perRun.count) }
            return LayerMetrics(layer: first[i].layer, weights: first[i].weights, keptMu: mean(\.keptMu), keptLogAlpha: mean(\.keptLogAlpha),
                                logAlphaP5: mean(\.logAlphaP5), logAlphaP25: mean(\.logAlphaP25), logAlphaP50: mean(\.logAlphaP50),
                                logAlphaP75: mean(\.logAlphaP75), logAlphaP95: mean(\.logAlphaP95), meanAbsTheta: mean(\.meanAbsTheta))
        }
    }

    /// Groups the runs of each report argument by their configuration less the seed, and names
    /// each group by what sets it apart: the argument's folder name when several were given,
    /// the settings that differ between groups (the objective, "a = 0.51") within one.
    public static func make(arguments: [(path: String, runs: [ReportRun])]) -> [RunGroup] {
        var groups: [(argument: Int, key: String, runs: [ReportRun])] = []
        for (index, argument) in arguments.enumerated() {
            for var run in argument.runs {
                run.loadConfigurationIfMissing()
                let key = settings(run.configuration).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ";")
                if let at = groups.firstIndex(where: { $0.argument == index && $0.key == key && !$0.key.isEmpty }) {
                    groups[at].runs.append(run)
                } else {
                    groups.append((index, key, [run]))
                }
            }
        }
        // A sweep's values of a in numeric order (its folders' names sort 0.505 after 0.52).
        if groups.allSatisfy({ $0.runs.first?.configuration?.objective == .gamma }) {
            groups.sort { ($0.argument, $0.runs.first?.configuration?.gammaA ?? 0) < ($1.argument, $1.runs.first?.configuration?.gammaA ?? 0) }
        }
        let all = groups.map { settings($0.runs.first?.configuration) }
        let varying = Set(all.flatMap(\.keys)).filter { key in Set(all.map { $0[key] ?? "" }).count > 1 }.sorted()
        return groups.map { group in
            let own = settings(group.runs.first?.configuration)
            var distinction: [String: String] = [:]
            for key in varying { distinction[key] = own[key] ?? "" }
            let name = (arguments[group.argument].path as NSString).lastPathComponent
            let described = varying.compactMap { describe($0, own[$0]) }.joined(separator: ", ")
            let label: String
            if arguments.count > 1 {
                label = groups.filter({ $0.argument == group.argument }).count > 1 && !described.isEmpty ? "\(name) (\(described))" : name
            } else {
                label = described.isEmpty ? (group.runs.count > 1 ? name : (group.runs[0].folder as NSString).lastPathComponent) : described
            }
            return RunGroup(label: label, runs: group.runs, distinction: distinction)
        }
    }

    /// Whether the groups are a sweep's: the Gamma prior at values of a, all else equal.
    public static func isSweep(_ groups: [RunGroup]) -> Bool {
        groups.count > 1 && groups.allSatisfy { $0.configuration?.objective == .gamma && Array($0.distinction.keys) == ["gammaA"] }
    }

    /// A configuration's settings as text, without the seed (and the logging cadence).
    static func settings(_ configuration: TrainingConfiguration?) -> [String: String] {
        guard let configuration, let data = try? JSONEncoder().encode(configuration),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var settings: [String: String] = [:]
        for (key, value) in object where key != "seed" && key != "logEvery" { settings[key] = "\(value)" }
        // Float settings as Swift writes them ("0.505"), not as their Double widening would read.
        settings["gammaA"] = "\(configuration.gammaA)"
        settings["gammaB"] = "\(configuration.gammaB)"
        settings["alpha"] = "\(configuration.alpha)"
        settings["learningRate"] = "\(configuration.learningRate)"
        if let s = configuration.regularizerScale { settings["regularizerScale"] = "\(s)" }
        if let clip = configuration.logSigma2Max { settings["logSigma2Max"] = "\(clip)" }
        return settings
    }

    /// How a setting reads in a label.
    static func describe(_ key: String, _ value: String?) -> String? {
        guard let value else { return nil }
        switch key {
        case "objective", "model", "parameterization": return value
        case "gammaA": return "a = \(value)"
        case "gammaB": return "b = \(value)"
        case "trim": return "trim \(value)"
        default: return "\(key) \(value)"
        }
    }
}
