import Foundation

/// How a histogram evolved: one column per snapshot epoch, one cell per bin, the cell's
/// colour the fraction of the layer's weights in it on a log scale (10⁻⁵ … 1) of the
/// sequential map; empty cells stay white. A colour bar on the right reads it.
///
/// Each column is a `<g class="heatmap-column">` with `data-epoch` and `data-counts`.
struct HeatMapChart {
    var frame: PlotFrame
    /// (epoch, histogram) in epoch order; the histograms share one binning.
    var columns: [(epoch: Int, histogram: WeightHistogram)]
    var references: [ReferenceLine] = []

    static let lowestFraction = 1e-5

    /// A frame whose x axis counts columns and whose tick labels are their epochs.
    static func frame(id: String, title: String, yLabel: String, columns: [(epoch: Int, histogram: WeightHistogram)]) -> PlotFrame {
        let first = columns.first?.histogram
        var frame = PlotFrame(id: id, title: title, xLabel: "epoch", yLabel: yLabel,
                              x: AxisScale(kind: .linear, lower: 0, upper: Double(max(columns.count, 1))),
                              y: AxisScale(kind: .linear, lower: first?.lower ?? 0, upper: first?.upper ?? 1))
        frame.rightMargin = 96
        let every = max(1, Int((Double(columns.count) / 10).rounded(.up)))
        frame.xTickLabels = columns.enumerated().filter { $0.offset % every == 0 || $0.offset == columns.count - 1 }
            .map { (Double($0.offset) + 0.5, String($0.element.epoch)) }
        return frame
    }

    static func color(fraction: Double) -> String {
        ChartStyle.sequential((log10(max(fraction, lowestFraction)) - log10(lowestFraction)) / -log10(lowestFraction))
    }

    func svg() -> String {
        var c = frame.canvas()
        frame.openPlot(&c)
        let columnWidth = frame.plotWidth / Double(max(columns.count, 1))
        for (index, column) in columns.enumerated() {
            let h = column.histogram
            c.raw("<g class=\"heatmap-column\" data-epoch=\"\(column.epoch)\" data-counts=\"\(h.counts.map(String.init).joined(separator: " "))\">")
            let x = frame.left + Double(index) * columnWidth
            for (bin, count) in h.counts.enumerated() where count > 0 {
                let top = frame.py(h.edge(bin + 1)), bottom = frame.py(h.edge(bin))
                // A hair wider and taller than the cell, so that no white seams show between cells.
                c.rect(x: x, y: top, width: columnWidth + 0.4, height: bottom - top + 0.4,
                       fill: Self.color(fraction: Double(count) / Double(max(h.count, 1))))
            }
            c.raw("</g>")
        }
        for r in references {
            let y = frame.py(r.value)
            c.line(x1: frame.left, y1: y, x2: frame.left + frame.plotWidth, y2: y, stroke: "#ffffff", width: 2.5, className: "reference")
            c.line(x1: frame.left, y1: y, x2: frame.left + frame.plotWidth, y2: y, stroke: r.color, width: 1.5, dash: "4 3")
        }
        frame.closePlot(&c)
        for r in references {
            c.text(r.label, x: frame.left + 6, y: frame.py(r.value) - 5, size: 11, weight: "bold", fill: "#ffffff", halo: "#222222")
        }
        drawColorBar(&c)
        return c.document()
    }

    private func drawColorBar(_ c: inout SVGCanvas) {
        let x = frame.left + frame.plotWidth + 46, top = frame.top, height = frame.plotHeight
        let steps = 50
        for i in 0..<steps {
            let t = Double(i) / Double(steps)
            c.rect(x: x, y: top + height * (1 - t - 1.0 / Double(steps)), width: 12, height: height / Double(steps) + 0.4,
                   fill: ChartStyle.sequential(t + 0.5 / Double(steps)))
        }
        c.raw("<rect x=\"\(SVGCanvas.px(x))\" y=\"\(SVGCanvas.px(top))\" width=\"12\" height=\"\(SVGCanvas.px(height))\" fill=\"none\" stroke=\"#444\"/>")
        let decades = Int(-log10(Self.lowestFraction))
        for d in 0...decades {
            let y = top + height * (1 - Double(d) / Double(decades))
            c.text(d == decades ? "1" : "10" + AxisScale.superscript(d - decades), x: x + 16, y: y + 4, size: 10)
        }
        c.text("fraction of weights", x: x - 6, y: top + height / 2, size: 11, anchor: .middle, rotate: -90)
    }
}
