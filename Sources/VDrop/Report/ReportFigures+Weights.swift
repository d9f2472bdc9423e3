import Foundation

/// The figures drawn from the weights themselves: per layer, the final log α and log₁₀|θ|
/// histograms with both trim thresholds, and how log α evolved; and the first layer's survivors.
extension ReportFigures {
    /// The run's trim rules: its own, and the other at its default.
    static func rules(_ configuration: TrainingConfiguration?) -> LayerMetrics.Rules {
        LayerMetrics.Rules(run: configuration?.trim ?? .paper)
    }

    static func threshold(_ rule: TrimRule) -> Double {
        switch rule {
        case .mu(let t): return Double(t)
        case .logAlpha(let t): return Double(t)
        }
    }

    /// A threshold as a person writes it: "0.01", "3".
    static func thresholdText(_ rule: TrimRule) -> String { String(format: "%g", threshold(rule)) }

    func histograms() -> [ReportFigure] {
        // Each group is represented by its first run.
        let firsts = groups.compactMap { group in group.runs.first.map { (group, $0) } }
        guard let (_, lead) = firsts.first, let last = lead.histograms.snapshots.last else { return [] }
        let rules = Self.rules(lead.configuration)
        let logAlphaThreshold = Self.threshold(rules.logAlpha), muThreshold = Self.threshold(rules.mu)
        let logAlphaText = Self.thresholdText(rules.logAlpha), muText = Self.thresholdText(rules.mu)
        var figures: [ReportFigure] = []
        for layer in last.layers.map(\.layer) {
            var alphaSeries: [HistogramSeries] = [], thetaSeries: [HistogramSeries] = []
            for (g, (group, run)) in firsts.enumerated() {
                guard let h = run.histograms.snapshots.last?.layers.first(where: { $0.layer == layer }) else { continue }
                let name = groups.count > 1 ? "\(group.label): " : ""
                alphaSeries.append(HistogramSeries(label: "\(name)all weights", histogram: h.logAlpha, color: ChartStyle.color(g), filled: groups.count == 1))
                alphaSeries.append(HistogramSeries(label: "\(name)kept by |θ| ≥ \(muText)", histogram: h.logAlphaKeptByMu,
                                                   color: ChartStyle.color(g), dash: "5 3"))
                thetaSeries.append(HistogramSeries(label: "\(name)all weights", histogram: h.log10AbsTheta, color: ChartStyle.color(g), filled: groups.count == 1))
                thetaSeries.append(HistogramSeries(label: "\(name)kept by log α < \(logAlphaText)", histogram: h.log10AbsThetaKeptByLogAlpha,
                                                   color: ChartStyle.color(g), dash: "5 3"))
            }
            let epoch = last.epoch
            let alpha = alphaSeries[0].histogram, theta = thetaSeries[0].histogram
            // Three charts a layer, side by side on a page 1400 pixels wide.
            let width = 430.0
            let alphaFrame = PlotFrame(id: "log-alpha-\(layer)", title: "\(layer): log α at epoch \(epoch)", xLabel: "log α = log σ² − log θ²",
                                       yLabel: "weights per bin", x: AxisScale(kind: .linear, lower: alpha.lower, upper: alpha.upper),
                                       y: HistogramChart.countScale(alphaSeries), width: width)
            figures.append(ReportFigure(name: "log-alpha-\(layer)", section: .histograms,
                                        svg: HistogramChart(frame: alphaFrame, series: alphaSeries,
                                                            references: [ReferenceLine(axis: .x, value: logAlphaThreshold, label: "log α = \(logAlphaText)")]).svg(),
                                        caption: "\(layer): log α of every weight at the end (solid) and of those the |θ| rule keeps (dashed); "
                                            + "the red line is the log α rule's threshold, right of which it trims. Values beyond the axis count in its end bins."))
            let thetaFrame = PlotFrame(id: "log-theta-\(layer)", title: "\(layer): |θ| at epoch \(epoch)", xLabel: "log₁₀ |θ|",
                                       yLabel: "weights per bin", x: AxisScale(kind: .linear, lower: theta.lower, upper: theta.upper),
                                       y: HistogramChart.countScale(thetaSeries), width: width)
            figures.append(ReportFigure(name: "log-theta-\(layer)", section: .histograms,
                                        svg: HistogramChart(frame: thetaFrame, series: thetaSeries,
                                                            references: [ReferenceLine(axis: .x, value: log10(muThreshold), label: "|θ| = \(muText)")]).svg(),
                                        caption: "\(layer): log₁₀|θ| of every weight at the end (solid) and of those the log α rule keeps (dashed); "
                                            + "the red line is the |θ| rule's threshold, left of which it trims."))
            let columns = lead.histograms.snapshots.compactMap { s in s.layers.first { $0.layer == layer }.map { (s.epoch, $0.logAlpha) } }
            if columns.count > 1 {
                var frame = HeatMapChart.frame(id: "log-alpha-evolution-\(layer)", title: "\(layer): log α over the epochs",
                                               yLabel: "log α", columns: columns)
                frame.width = width
                figures.append(ReportFigure(name: "log-alpha-evolution-\(layer)", section: .histograms,
                                            svg: HeatMapChart(frame: frame, columns: columns,
                                                              references: [ReferenceLine(axis: .y, value: logAlphaThreshold, label: "log α = \(logAlphaText)")]).svg(),
                                            caption: "\(layer): the log α histogram at each snapshot epoch (0 is the initialization)\(groups.count > 1 ? " of \(groups[0].label)" : ""); "
                                                + "the colour is the fraction of the layer's weights in a bin, on a log scale."))
            }
        }
        return figures
    }

    func survivors() -> [ReportFigure] {
        var figures: [ReportFigure] = []
        for (g, group) in groups.prefix(4).enumerated() {
            guard let run = group.runs.first, let layer = run.firstLayer() else { continue }
            let rule = run.configuration?.trim ?? .paper
            let kept = zip(layer.theta, layer.logSigma2).map { rule.keeps(theta: $0, logSigma2: $1) }
            let suffix = groups.count > 1 ? " (\(group.label))" : ""
            let name = "survivors-\(layer.key)" + (groups.count > 1 ? "-\(g + 1)" : "")
            if layer.shape.count == 2 {
                let (outputs, inputs) = (layer.shape[0], layer.shape[1])
                let side = Int(Double(inputs).squareRoot().rounded())
                guard side * side == inputs else { continue }
                var counts = [Int](repeating: 0, count: inputs)
                for o in 0..<outputs { for i in 0..<inputs where kept[o * inputs + i] { counts[i] += 1 } }
                figures.append(ReportFigure(name: name, section: .survivors,
                                            svg: SurvivorCharts.pixelMap(id: name, title: "\(layer.key): kept weights per input pixel\(suffix)",
                                                                         counts: counts, width: side, height: side, outputs: outputs),
                                            caption: "How many of \(layer.key)'s kept weights (rule \(rule)) each input pixel feeds, of \(outputs); "
                                                + "a white pixel feeds none, so the trimmed network never looks at it."))
            } else if layer.shape.count == 4 {
                figures.append(ReportFigure(name: name, section: .survivors,
                                            svg: SurvivorCharts.filterGrid(id: name, title: "\(layer.key): kept taps of each filter\(suffix)",
                                                                           theta: layer.theta, kept: kept, shape: layer.shape),
                                            caption: "Every filter of \(layer.key), its input channels side by side; a kept tap (rule \(rule)) is coloured by θ, a trimmed one is crossed out."))
            }
        }
        return figures
    }
}
