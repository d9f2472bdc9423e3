import Foundation

/// One series of a ``LineChart``: points, and optionally a band (mean ± std over seeds),
/// error bars (a sweep's points) and labels beside the points.
struct LineSeries {
    var label: String
    var x: [Double]
    var y: [Double]
    var color: String
    var dash: String? = nil
    var marker: ChartStyle.Marker? = nil
    var connect = true
    /// The band's lower and upper edge at each x.
    var band: (lower: [Double], upper: [Double])? = nil
    /// Half-widths of error bars at each point.
    var xError: [Double]? = nil
    var yError: [Double]? = nil
    var pointLabels: [String]? = nil

    /// Every y value drawn: the points and the band's edges (what the y axis must hold).
    var plottedValues: [Double] {
        var values = y
        if let band { values += band.lower + band.upper }
        return values
    }
}

/// A vertical or horizontal reference line across the plot (a trim threshold).
struct ReferenceLine {
    enum Axis { case x, y }
    var axis: Axis
    var value: Double
    var label: String
    var color = "#b00020"
}

/// Lines, markers, bands and error bars over a ``PlotFrame``.
///
/// Each series is one `<path class="series">` whose `data-label`, `data-x` and `data-y` hold
/// the plotted values exactly (markers and error bars are drawn at the same points); a
/// band is a `<path class="band">` with `data-x`, `data-lower` and `data-upper`.
struct LineChart {
    var frame: PlotFrame
    var series: [LineSeries]
    var references: [ReferenceLine] = []

    /// The frame's legend, or one entry per series when the frame has none.
    func svg() -> String {
        var frame = self.frame
        if frame.legend.isEmpty {
            frame.legend = series.map { LegendEntry(label: $0.label, color: $0.color, dash: $0.dash, marker: $0.marker,
                                                    kind: $0.band == nil ? .line : .band) }
        }
        var c = frame.canvas()
        frame.openPlot(&c)
        for s in series { if let band = s.band { drawBand(s, band, frame, &c) } }
        for reference in references { drawReference(reference, frame, &c) }
        for s in series { drawSeries(s, frame, &c) }
        frame.closePlot(&c)
        // Point labels sit outside the clip so that one near the edge is not cut.
        for s in series {
            for (i, label) in (s.pointLabels ?? []).enumerated() where i < s.x.count {
                c.text(label, x: frame.px(s.x[i]) + 7, y: frame.py(s.y[i]) - 7, size: 11, fill: s.color)
            }
        }
        return c.document()
    }

    private func drawBand(_ s: LineSeries, _ band: (lower: [Double], upper: [Double]), _ frame: PlotFrame, _ c: inout SVGCanvas) {
        let upper = zip(s.x, band.upper).map { (frame.px($0), frame.py($1)) }
        let lower = zip(s.x, band.lower).map { (frame.px($0), frame.py($1)) }.reversed()
        c.raw("<path class=\"band\" data-label=\"\(SVGCanvas.escaped(s.label))\" data-x=\"\(SVGCanvas.values(s.x))\" "
              + "data-lower=\"\(SVGCanvas.values(band.lower))\" data-upper=\"\(SVGCanvas.values(band.upper))\" "
              + "d=\"\(SVGCanvas.pathData(upper + lower)) Z\" fill=\"\(s.color)\" fill-opacity=\"0.18\" stroke=\"none\"/>")
    }

    private func drawReference(_ r: ReferenceLine, _ frame: PlotFrame, _ c: inout SVGCanvas) {
        switch r.axis {
        case .x:
            let x = frame.px(r.value)
            c.line(x1: x, y1: frame.top, x2: x, y2: frame.axisBottom, stroke: r.color, width: 1.5, dash: "4 3", className: "reference")
            c.text(r.label, x: x + 4, y: frame.top + 13, size: 11, fill: r.color)
        case .y:
            let y = frame.py(r.value)
            c.line(x1: frame.left, y1: y, x2: frame.left + frame.plotWidth, y2: y, stroke: r.color, width: 1.5, dash: "4 3", className: "reference")
            c.text(r.label, x: frame.left + frame.plotWidth - 4, y: y - 4, size: 11, anchor: .end, fill: r.color)
        }
    }

    private func drawSeries(_ s: LineSeries, _ frame: PlotFrame, _ c: inout SVGCanvas) {
        let points = zip(s.x, s.y).map { (frame.px($0), frame.py($1)) }
        let stroke = s.connect ? "stroke=\"\(s.color)\" stroke-width=\"2\"" + (s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") : "stroke=\"none\""
        c.raw("<path class=\"series\" data-label=\"\(SVGCanvas.escaped(s.label))\" data-x=\"\(SVGCanvas.values(s.x))\" "
              + "data-y=\"\(SVGCanvas.values(s.y))\" d=\"\(SVGCanvas.pathData(points))\" fill=\"none\" \(stroke) stroke-linejoin=\"round\"/>")
        for (i, (x, y)) in zip(s.x, s.y).enumerated() {
            if let e = s.yError?[i], e > 0 { errorBar(from: (x, y - e), to: (x, y + e), vertical: true, s.color, frame, &c) }
            if let e = s.xError?[i], e > 0 { errorBar(from: (x - e, y), to: (x + e, y), vertical: false, s.color, frame, &c) }
        }
        guard let marker = s.marker else { return }
        // Markers on every point of a short series; on long ones about 20, evenly spread.
        let every = max(1, Int((Double(points.count) / 20).rounded(.up)))
        for (i, point) in points.enumerated() where i % every == 0 || i == points.count - 1 {
            c.raw(ChartStyle.markerSVG(marker, x: point.0, y: point.1, r: 3.5, color: s.color))
        }
    }

    /// A bar with caps; on a log axis the low end is kept above 0.
    private func errorBar(from a: (Double, Double), to b: (Double, Double), vertical: Bool, _ color: String, _ frame: PlotFrame, _ c: inout SVGCanvas) {
        let low = vertical ? (a.0, frame.y.kind == .log ? max(a.1, frame.y.lower) : a.1) : (frame.x.kind == .log ? max(a.0, frame.x.lower) : a.0, a.1)
        let (x1, y1, x2, y2) = (frame.px(low.0), frame.py(low.1), frame.px(b.0), frame.py(b.1))
        c.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: color, width: 1.5, className: "error-bar")
        for (x, y) in [(x1, y1), (x2, y2)] {
            if vertical { c.line(x1: x - 4, y1: y, x2: x + 4, y2: y, stroke: color, width: 1.5) } else { c.line(x1: x, y1: y - 4, x2: x, y2: y + 4, stroke: color, width: 1.5) }
        }
    }
}
