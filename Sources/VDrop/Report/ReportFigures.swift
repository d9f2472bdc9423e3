import Foundation

/// Builds the report's figures from run groups: the learning curves, compression and
/// per-layer metrics over the epochs, and the comparison of groups. Histograms and the first
/// layer's survivors are in the extensions beside this file.
///
/// Every chart draws each group in its own colour and marker; with several seeds, the line is
/// their mean and the band ± one standard deviation. A second dimension (train or test, a
/// layer) takes the dash pattern.
struct ReportFigures {
    let groups: [RunGroup]

    var all: [ReportFigure] {
        [comparison()].compactMap { $0 } + learningCurves() + compression() + histograms() + survivors()
    }

    var hasSeeds: Bool { groups.contains { $0.runs.count > 1 } }

    var epochAxis: AxisScale {
        AxisScale.fitted([0] + groups.flatMap { $0.runs.flatMap { $0.records.map { Double($0.epoch) } } })
    }

    /// A quantity per epoch: its legend name, dash, and value of a record.
    struct Quantity {
        var name: String
        var value: (EpochRecord) -> Double?
    }

    /// A chart of per-epoch quantities, one series per group and quantity.
    /// `scale` nil picks one by the values (``AxisScale/fitted(_:kind:includeZero:)``); `logWhenPositive`
    /// asks for log whenever every value is above 0 (the regularizer falls by decades, but the
    /// Gamma prior's can be negative).
    func curveFigure(name: String, section: ReportSection, title: String, yLabel: String, quantities: [Quantity],
                     scale: AxisScale.Kind? = nil, logWhenPositive: Bool = false, includeZero: Bool = false, width: Double = 620,
                     caption: String) -> ReportFigure? {
        var series: [LineSeries] = []
        for (g, group) in groups.enumerated() {
            for (q, quantity) in quantities.enumerated() {
                let curve = group.curve(quantity.value)
                guard !curve.epochs.isEmpty else { continue }
                var s = LineSeries(label: quantities.count > 1 ? "\(group.label) \(quantity.name)" : group.label,
                                   x: curve.epochs, y: curve.mean, color: ChartStyle.color(g), dash: ChartStyle.dash(q),
                                   marker: ChartStyle.marker(g))
                if group.runs.count > 1 {
                    s.band = (zip(curve.mean, curve.std).map { $0 - $1 }, zip(curve.mean, curve.std).map { $0 + $1 })
                }
                series.append(s)
            }
        }
        guard !series.isEmpty else { return nil }
        let values = series.flatMap(\.plottedValues)
        let kind = logWhenPositive && values.allSatisfy({ $0 > 0 }) ? .log : scale
        var frame = PlotFrame(id: name, title: title, xLabel: "epoch", yLabel: yLabel, x: epochAxis,
                              y: AxisScale.fitted(values.filter { kind != .log || $0 > 0 }, kind: kind, includeZero: includeZero), width: width)
        frame.legend = legend(quantities: quantities.map(\.name))
        return ReportFigure(name: name, section: section, svg: LineChart(frame: frame, series: series).svg(), caption: caption)
    }

    /// Groups by colour and marker; quantities by dash (in grey) when there are several; the band.
    func legend(quantities: [String]) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        if groups.count > 1 || quantities.count == 1 {
            entries += groups.enumerated().map { LegendEntry(label: $0.element.label, color: ChartStyle.color($0.offset), marker: ChartStyle.marker($0.offset)) }
        }
        if quantities.count > 1 {
            entries += quantities.enumerated().map { LegendEntry(label: $0.element, color: groups.count > 1 ? "#666666" : ChartStyle.color(0), dash: ChartStyle.dash($0.offset)) }
        }
        if hasSeeds {
            let seeds = groups.map(\.runs.count).max() ?? 1
            entries.append(LegendEntry(label: "mean ± std over \(seeds) seeds", color: "#666666", kind: .band))
        }
        return entries
    }

    func learningCurves() -> [ReportFigure] {
        [
            curveFigure(name: "error", section: .learningCurves, title: "Error", yLabel: "error (%)",
                        quantities: [Quantity(name: "test", value: { $0.testError }), Quantity(name: "train", value: { $0.trainError })],
                        caption: "Test error after trimming (deterministic weights, every evaluated epoch) and training error (noisy weights, over the batches read back)."),
            curveFigure(name: "data-term", section: .learningCurves, title: "Data term", yLabel: "N · mean cross-entropy",
                        quantities: [Quantity(name: "data term", value: { $0.dataTerm })],
                        caption: "The data term of the objective: the training-set size times the mean cross-entropy, averaged over the epoch's batches read back."),
            curveFigure(name: "regularizer", section: .learningCurves, title: "Regularizer", yLabel: "Σ R over the weights",
                        quantities: [Quantity(name: "regularizer", value: { $0.regularizer })], logWhenPositive: true, width: 430,
                        caption: "The regularizer summed over every weight (before β and the scale s), averaged over the epoch's batches read back."),
            curveFigure(name: "learning-rate", section: .learningCurves, title: "Learning rate", yLabel: "learning rate",
                        quantities: [Quantity(name: "lr", value: { $0.lr })], scale: .linear, includeZero: true, width: 430,
                        caption: "Adam's learning rate at the epoch's last step: constant, then falling linearly to 0."),
            curveFigure(name: "beta", section: .learningCurves, title: "Regularizer weight β", yLabel: "β",
                        quantities: [Quantity(name: "β", value: { $0.beta })], scale: .linear, includeZero: true, width: 430,
                        caption: "β, the annealing weight of the regularizer at the epoch's last step: rising from 0 to 1."),
        ].compactMap { $0 }
    }

    /// The kept fraction under the run's own rule.
    static func keptUnderRunRule(_ layer: LayerMetrics, _ configuration: TrainingConfiguration?) -> Double {
        if case .logAlpha = configuration?.trim ?? .paper { return layer.keptLogAlpha }
        return layer.keptMu
    }

    func compression() -> [ReportFigure] {
        var figures: [ReportFigure] = []
        if let f = curveFigure(name: "compression", section: .compression, title: "Compression", yLabel: "compression (×)",
                               quantities: [Quantity(name: "compression", value: { $0.compression })], scale: .log,
                               caption: "Compression after trimming by the run's rule: all weights over the kept ones, every epoch.") {
            figures.append(f)
        }
        let configuration = groups.first?.configuration
        figures += [
            layerFigure(name: "kept-fraction", title: "Kept fraction per layer", yLabel: "weights kept (%)", scale: .log,
                        value: { 100 * Self.keptUnderRunRule($0, configuration) },
                        caption: "The share of each layer's weights that the run's trim rule (\(configuration?.trim ?? .paper)) keeps, every epoch."),
            layerFigure(name: "mean-abs-theta", title: "Mean |θ| per layer", yLabel: "mean |θ|", scale: .log, value: { $0.meanAbsTheta },
                        caption: "The mean absolute posterior mean of each layer's weights."),
            layerFigure(name: "log-alpha-median", title: "Median log α per layer", yLabel: "log α", scale: .linear, value: { $0.logAlphaP50 },
                        band: { ($0.logAlphaP25, $0.logAlphaP75) },
                        references: [ReferenceLine(axis: .y, value: Self.threshold(Self.rules(configuration).logAlpha),
                                                   label: "log α = \(Self.thresholdText(Self.rules(configuration).logAlpha))")],
                        caption: "The median log α of each layer's weights, with the band from its 25th to its 75th percentile (of the first run); the red line is the log α rule's threshold."),
        ].compactMap { $0 }
        return figures
    }

    /// A per-layer metric over the epochs: colour and marker by layer, dash by group.
    func layerFigure(name: String, title: String, yLabel: String, scale: AxisScale.Kind, value: @escaping (LayerMetrics) -> Double,
                     band: ((LayerMetrics) -> (Double, Double))? = nil, references: [ReferenceLine] = [], caption: String) -> ReportFigure? {
        let layerNames = groups.first?.runs.first?.records.last?.layers?.map(\.layer) ?? []
        guard !layerNames.isEmpty else { return nil }
        var series: [LineSeries] = []
        for (g, group) in groups.enumerated() {
            for (l, layer) in layerNames.enumerated() {
                let curve = group.curve { record in record.layers?.first { $0.layer == layer }.map(value) }
                guard !curve.epochs.isEmpty else { continue }
                var s = LineSeries(label: groups.count > 1 ? "\(group.label) \(layer)" : layer, x: curve.epochs, y: curve.mean,
                                   color: ChartStyle.color(l), dash: ChartStyle.dash(g), marker: ChartStyle.marker(l))
                if let band, g == 0, let run = group.runs.first {
                    let points = run.records.compactMap { r in r.layers?.first { $0.layer == layer }.map { (Double(r.epoch), band($0)) } }
                    if points.map(\.0) == curve.epochs { s.band = (points.map(\.1.0), points.map(\.1.1)) }
                }
                series.append(s)
            }
        }
        guard !series.isEmpty else { return nil }
        let values = series.flatMap(\.plottedValues).filter { scale != .log || $0 > 0 }
        var frame = PlotFrame(id: name, title: title, xLabel: "epoch", yLabel: yLabel, x: epochAxis, y: AxisScale.fitted(values, kind: scale))
        frame.legend = layerNames.enumerated().map { LegendEntry(label: $0.element, color: ChartStyle.color($0.offset), marker: ChartStyle.marker($0.offset)) }
        if groups.count > 1 {
            frame.legend += groups.enumerated().map { LegendEntry(label: $0.element.label, color: "#666666", dash: ChartStyle.dash($0.offset)) }
        }
        return ReportFigure(name: name, section: .compression, svg: LineChart(frame: frame, series: series, references: references).svg(),
                            caption: caption)
    }

    /// Test error against compression, one point per group with error bars of ± std over its
    /// seeds: the paper's Table 2 as a picture when the groups are a sweep's values of a.
    func comparison() -> ReportFigure? {
        guard groups.count > 1 else { return nil }
        let points = groups.enumerated().filter { $0.element.error.count > 0 && $0.element.compression.count > 0 }
        guard points.count > 1 else { return nil }
        let sweep = RunGroup.isSweep(groups)
        var series = points.map { g, group in
            LineSeries(label: group.label, x: [group.compression.mean], y: [group.error.mean], color: ChartStyle.color(g),
                       marker: ChartStyle.marker(g), connect: false, xError: [group.compression.std], yError: [group.error.std],
                       pointLabels: [group.label])
        }
        if sweep {
            series.insert(LineSeries(label: "trade-off", x: points.map(\.element.compression.mean), y: points.map(\.element.error.mean),
                                     color: "#999999", dash: "3 3"), at: 0)
        }
        // The axes reach a little past the error bars, so that no point sits on the frame.
        let xs = points.flatMap { [($0.element.compression.mean - $0.element.compression.std) / 1.1, ($0.element.compression.mean + $0.element.compression.std) * 1.1] }
        let yLow = points.map { $0.element.error.mean - $0.element.error.std }.min()!, yHigh = points.map { $0.element.error.mean + $0.element.error.std }.max()!
        let ys = [yLow - 0.1 * max(yHigh - yLow, 0.1), yHigh + 0.1 * max(yHigh - yLow, 0.1)]
        var frame = PlotFrame(id: "error-vs-compression", title: "Test error against compression", xLabel: "compression (×, log scale)",
                              yLabel: "test error (%)", x: AxisScale.fitted(xs, kind: .log), y: AxisScale.fitted(ys))
        frame.legend = points.map { LegendEntry(label: $0.element.label, color: ChartStyle.color($0.offset), marker: ChartStyle.marker($0.offset)) }
        let seeds = groups.map(\.runs.count).max() ?? 1
        return ReportFigure(name: "error-vs-compression", section: .comparison, svg: LineChart(frame: frame, series: series).svg(),
                            caption: "Final test error against compression, one point per \(sweep ? "value of a" : "group of runs")"
                                + (seeds > 1 ? ", with error bars of ± one standard deviation over \(seeds) seeds." : "."))
    }
}
