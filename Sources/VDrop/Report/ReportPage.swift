import Foundation

/// The report as one HTML file that needs nothing else: inline SVG, inline CSS, no script,
/// no font or image fetched, so it opens offline and in a mail attachment alike.
enum ReportPage {
    static let style = """
        body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 24px; max-width: 1340px; }
        h1 { font-size: 24px; margin: 0 0 4px 0; } h2 { font-size: 19px; margin: 30px 0 10px 0; border-bottom: 1px solid #ccc; }
        p, li { font-size: 14px; line-height: 1.45; } .meta { color: #555; font-size: 13px; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px 0; }
        th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; } th { background: #f2f2f2; }
        td.text, th.text { text-align: left; }
        .figures { display: flex; flex-wrap: wrap; gap: 18px; }
        figure { margin: 0; } figure svg { display: block; max-width: 100%; height: auto; }
        figcaption { font-size: 12.5px; color: #444; margin-top: 4px; line-height: 1.4; }
        """

    static func html(groups: [RunGroup], figures: [ReportFigure], figureFolder: String) -> String {
        var page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vdrop report</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
        page += "<h1>vdrop report</h1>\n"
        page += "<p class=\"meta\">\(escaped(describeRuns(groups)))</p>\n"
        page += "<h2>Results</h2>\n" + resultsTable(groups)
        page += "<h2>Per layer at the end</h2>\n" + layerTable(groups)
        for section in ReportSection.allCases {
            let members = figures.filter { $0.section == section }
            guard !members.isEmpty else { continue }
            page += "<h2>\(escaped(section.rawValue))</h2>\n<div class=\"figures\">\n"
            for figure in members {
                page += "<figure id=\"\(figure.name)\" style=\"width: \(figure.width)px\">\n\(figure.svg)<figcaption>\(escaped(figure.caption))</figcaption>\n</figure>\n"
            }
            page += "</div>\n"
        }
        page += "<p class=\"meta\">Every figure is also a standalone SVG file in \(escaped(figureFolder))/, named as its id here.</p>\n"
        return page + "</body>\n</html>\n"
    }

    static func escaped(_ text: String) -> String { SVGCanvas.escaped(text) }

    static func describeRuns(_ groups: [RunGroup]) -> String {
        let runs = groups.flatMap(\.runs)
        var parts: [String] = []
        if let c = groups.first?.configuration {
            parts.append("\(c.model), \(groups.count > 1 ? Set(groups.compactMap { $0.configuration?.objective.rawValue }).sorted().joined(separator: " and ") : c.objective.rawValue)")
            parts.append("\(c.epochs) epochs, batch \(c.batch), lr \(c.learningRate), trim \(c.trim)")
        }
        if let result = runs.first?.result { parts.append("data \(result.dataSource), on \(result.backend)") }
        parts.append("\(runs.count) run\(runs.count == 1 ? "" : "s"): " + runs.map(\.folder).joined(separator: ", "))
        return parts.joined(separator: " · ")
    }

    static func meanStd(_ value: MeanStd, digits: Int) -> String {
        guard value.count > 0 else { return "–" }
        return value.count > 1 ? value.formatted(digits: digits) : String(format: "%.\(digits)f", value.mean)
    }

    /// Table 1's form (a row per group: error and compression, mean ± std over seeds), or
    /// Table 2's when the groups are a sweep's values of a.
    static func resultsTable(_ groups: [RunGroup]) -> String {
        let sweep = RunGroup.isSweep(groups)
        var table = "<table>\n<tr><th class=\"text\">\(sweep ? "a" : "run")</th><th>seeds</th><th>epochs</th><th>test error %</th><th>compression (×)</th></tr>\n"
        for group in groups {
            let name = sweep ? (group.configuration.map { "\($0.gammaA)" } ?? group.label) : group.label
            let epochs = group.runs.map { $0.records.last?.epoch ?? 0 }
            let epochText = Set(epochs).count == 1 ? "\(epochs[0])" : "\(epochs.min()!)–\(epochs.max()!)"
            table += "<tr><td class=\"text\">\(escaped(name))</td><td>\(group.runs.count)</td><td>\(epochText)</td>"
                + "<td>\(meanStd(group.error, digits: 2))</td><td>\(meanStd(group.compression, digits: group.compression.mean < 10 ? 2 : 1))</td></tr>\n"
        }
        table += "</table>\n"
        let seeds = groups.map(\.runs.count).max() ?? 1
        var note = "Test error after trimming and compression (all weights over kept ones) at the end of each run"
        if seeds > 1 { note += "; mean ± sample standard deviation over the seeds, as in the paper's Table \(sweep ? 2 : 1)" }
        if sweep, let b = groups.first?.configuration?.gammaB { note += "; the Gamma hyperprior with b = \(b)" }
        return table + "<p class=\"meta\">\(escaped(note)).</p>\n"
    }

    static func layerTable(_ groups: [RunGroup]) -> String {
        let rules = ReportFigures.rules(groups.first?.configuration)
        var table = "<table>\n<tr>" + (groups.count > 1 ? "<th class=\"text\">run</th>" : "")
            + "<th class=\"text\">layer</th><th>weights</th><th>kept, |θ| ≥ \(ReportFigures.thresholdText(rules.mu))</th>"
            + "<th>kept, log α &lt; \(ReportFigures.thresholdText(rules.logAlpha))</th><th>log α 5%</th><th>25%</th><th>50%</th><th>75%</th><th>95%</th><th>mean |θ|</th></tr>\n"
        var any = false
        for group in groups {
            for layer in group.finalLayers ?? [] {
                any = true
                table += "<tr>" + (groups.count > 1 ? "<td class=\"text\">\(escaped(group.label))</td>" : "")
                    + "<td class=\"text\">\(escaped(layer.layer))</td><td>\(layer.weights)</td>"
                    + String(format: "<td>%.2f%%</td><td>%.2f%%</td>", 100 * layer.keptMu, 100 * layer.keptLogAlpha)
                    + layer.logAlphaQuantiles.map { String(format: "<td>%.2f</td>", $0) }.joined()
                    + String(format: "<td>%.3g</td>", layer.meanAbsTheta) + "</tr>\n"
            }
        }
        guard any else { return "<p class=\"meta\">These runs' metrics hold no per-layer records (they were written before vdrop recorded them).</p>\n" }
        let seeds = groups.map(\.runs.count).max() ?? 1
        return table + "</table>\n<p class=\"meta\">The last epoch's metrics\(seeds > 1 ? ", averaged over the seeds" : ""): "
            + "the share of weights each trim rule keeps, quantiles of log α, and the mean |θ|.</p>\n"
    }
}
