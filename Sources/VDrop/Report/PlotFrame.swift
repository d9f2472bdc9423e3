import Foundation

/// One entry of a chart's legend.
struct LegendEntry {
    enum Kind { case line, band, patch }
    var label: String
    var color: String
    var dash: String? = nil
    var marker: ChartStyle.Marker? = nil
    var kind: Kind = .line
}

/// The frame every chart shares: a title, the plot area with gridlines, ticks and labelled
/// axes, and the legend in rows below the x axis, where it can never cover data.
///
/// The margins follow from the text they hold (the longest tick label sets the left one),
/// and the plotted marks go into a group clipped to the plot area, which carries the scales
/// as `data-x-scale`, `data-y-scale` and `data-area` so that pixels can be mapped back.
struct PlotFrame {
    /// Unique within a page: inline SVGs share one id space, and the clip path needs one.
    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var x: AxisScale
    var y: AxisScale
    var width: Double = 620
    var plotHeight: Double = 230
    var legend: [LegendEntry] = []
    /// Room right of the plot (a colour bar's).
    var rightMargin: Double = 24
    /// Tick labels of the x axis in place of the scale's own (a heat map's epochs).
    var xTickLabels: [(Double, String)]? = nil

    static let fontSize = 12.0
    let top = 36.0

    var left: Double {
        let widest = y.ticks.map { SVGCanvas.textWidth(y.label($0)) }.max() ?? 20
        return widest + 36
    }
    var plotWidth: Double { width - left - rightMargin }
    var axisBottom: Double { top + plotHeight }

    /// Entries laid out left to right, wrapping: (row, x offset) per entry.
    var legendLayout: [(row: Int, x: Double)] {
        var layout: [(Int, Double)] = []
        var row = 0, cursor = 0.0
        let available = width - 24
        for entry in legend {
            let entryWidth = 30 + SVGCanvas.textWidth(entry.label) + 18
            if cursor > 0 && cursor + entryWidth > available {
                row += 1
                cursor = 0
            }
            layout.append((row, cursor))
            cursor += entryWidth
        }
        return layout
    }

    var legendHeight: Double { legend.isEmpty ? 0 : Double((legendLayout.last?.row ?? 0) + 1) * 20 + 6 }
    var height: Double { axisBottom + 46 + legendHeight }

    func px(_ value: Double) -> Double { left + x.fraction(value) * plotWidth }
    func py(_ value: Double) -> Double { top + (1 - y.fraction(value)) * plotHeight }

    /// The canvas with everything but the data; the data goes between ``openPlot(_:)`` and ``closePlot(_:)``.
    func canvas() -> SVGCanvas {
        var c = SVGCanvas(width: width, height: height)
        let right = left + plotWidth
        c.text(title, x: left, y: 20, size: 14, weight: "bold")
        // The clip reaches a marker's radius past the plot, so that points on the edges show whole.
        let pad = 5.0
        c.raw("<clipPath id=\"\(id)-clip\"><rect x=\"\(SVGCanvas.px(left - pad))\" y=\"\(SVGCanvas.px(top - pad))\" width=\"\(SVGCanvas.px(plotWidth + 2 * pad))\" height=\"\(SVGCanvas.px(plotHeight + 2 * pad))\"/></clipPath>")
        for tick in y.ticks {
            let yy = py(tick)
            c.line(x1: left, y1: yy, x2: right, y2: yy, stroke: "#e4e4e4")
            c.line(x1: left - 4, y1: yy, x2: left, y2: yy, stroke: "#444")
            c.text(y.label(tick), x: left - 7, y: yy + 4, size: Self.fontSize, anchor: .end)
        }
        for (tick, label) in xTickLabels ?? x.ticks.map({ ($0, x.label($0)) }) {
            let xx = px(tick)
            c.line(x1: xx, y1: top, x2: xx, y2: axisBottom, stroke: "#eeeeee")
            c.line(x1: xx, y1: axisBottom, x2: xx, y2: axisBottom + 4, stroke: "#444")
            c.text(label, x: xx, y: axisBottom + 17, size: Self.fontSize, anchor: .middle)
        }
        c.raw("<rect x=\"\(SVGCanvas.px(left))\" y=\"\(SVGCanvas.px(top))\" width=\"\(SVGCanvas.px(plotWidth))\" height=\"\(SVGCanvas.px(plotHeight))\" fill=\"none\" stroke=\"#444\"/>")
        c.text(xLabel, x: left + plotWidth / 2, y: axisBottom + 36, size: Self.fontSize, anchor: .middle)
        c.text(yLabel, x: 14, y: top + plotHeight / 2, size: Self.fontSize, anchor: .middle, rotate: -90)
        drawLegend(into: &c)
        return c
    }

    func openPlot(_ c: inout SVGCanvas) {
        c.raw("<g class=\"plot\" clip-path=\"url(#\(id)-clip)\" data-x-scale=\"\(x.descriptor)\" data-y-scale=\"\(y.descriptor)\" "
              + "data-area=\"\(left) \(top) \(plotWidth) \(plotHeight)\">")
    }

    func closePlot(_ c: inout SVGCanvas) { c.raw("</g>") }

    private func drawLegend(into c: inout SVGCanvas) {
        let base = axisBottom + 50
        for (entry, place) in zip(legend, legendLayout) {
            let x0 = 12 + place.x, y0 = base + Double(place.row) * 20
            switch entry.kind {
            case .line:
                c.line(x1: x0, y1: y0 + 5, x2: x0 + 24, y2: y0 + 5, stroke: entry.color, width: 2, dash: entry.dash)
                if let marker = entry.marker { c.raw(ChartStyle.markerSVG(marker, x: x0 + 12, y: y0 + 5, r: 3.5, color: entry.color)) }
            case .band:
                c.rect(x: x0, y: y0, width: 24, height: 10, fill: entry.color, extra: " fill-opacity=\"0.2\"")
                c.line(x1: x0, y1: y0 + 5, x2: x0 + 24, y2: y0 + 5, stroke: entry.color, width: 2, dash: entry.dash)
            case .patch:
                c.rect(x: x0 + 4, y: y0, width: 16, height: 10, fill: entry.color)
            }
            c.text(entry.label, x: x0 + 30, y: y0 + 9, size: Self.fontSize)
        }
    }
}
