import Foundation

/// One histogram outline of a ``HistogramChart``.
struct HistogramSeries {
    var label: String
    var histogram: WeightHistogram
    var color: String
    var dash: String? = nil
    /// Filled below the outline (lightly), for the histogram of all weights.
    var filled = false
}

/// Histograms drawn as step outlines over a shared value axis, counts on a log axis (the
/// kept weights are often a hundredth of the trimmed ones and would vanish on a linear one),
/// with the trim thresholds as reference lines. Empty bins sit on the bottom edge.
///
/// Each outline is a `<path class="histogram">` with `data-edges` (bins + 1 values) and
/// `data-counts`.
struct HistogramChart {
    var frame: PlotFrame
    var series: [HistogramSeries]
    var references: [ReferenceLine] = []

    /// A count axis from ½ (where empty bins sit) to the decade above the largest count.
    static func countScale(_ series: [HistogramSeries]) -> AxisScale {
        let largest = Double(series.flatMap(\.histogram.counts).max() ?? 1)
        return AxisScale(kind: .log, lower: 0.5, upper: pow(10, max(1, log10(max(largest, 1)).rounded(.up))))
    }

    func svg() -> String {
        var frame = self.frame
        if frame.legend.isEmpty {
            frame.legend = series.map { LegendEntry(label: $0.label, color: $0.color, dash: $0.dash) }
        }
        var c = frame.canvas()
        frame.openPlot(&c)
        for s in series {
            let h = s.histogram
            let edges = (0...h.counts.count).map(h.edge)
            let base = frame.axisBottom
            var points: [(Double, Double)] = [(frame.px(edges[0]), base)]
            for (i, count) in h.counts.enumerated() {
                let y = count > 0 ? frame.py(Double(count)) : base
                points.append((frame.px(edges[i]), y))
                points.append((frame.px(edges[i + 1]), y))
            }
            points.append((frame.px(edges[edges.count - 1]), base))
            let fill = s.filled ? "fill=\"\(s.color)\" fill-opacity=\"0.15\"" : "fill=\"none\""
            c.raw("<path class=\"histogram\" data-label=\"\(SVGCanvas.escaped(s.label))\" data-edges=\"\(SVGCanvas.values(edges))\" "
                  + "data-counts=\"\(h.counts.map(String.init).joined(separator: " "))\" d=\"\(SVGCanvas.pathData(points))\" \(fill) "
                  + "stroke=\"\(s.color)\" stroke-width=\"1.6\"" + (s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
        }
        for r in references {
            let x = frame.px(r.value)
            c.line(x1: x, y1: frame.top, x2: x, y2: frame.axisBottom, stroke: r.color, width: 1.5, dash: "4 3", className: "reference")
        }
        frame.closePlot(&c)
        for r in references {
            // The label goes on the side of the line with more room.
            let x = frame.px(r.value), onRight = frame.x.fraction(r.value) < 0.7
            c.text(r.label, x: onRight ? x + 4 : x - 4, y: frame.top + 13, size: 11, anchor: onRight ? .start : .end, fill: r.color)
        }
        return c.document()
    }
}
