import Foundation

/// The first layer's survivors, drawn from its trimmed weights.
///
/// For a dense first layer (LeNet-300): a map of its input image, each pixel shaded by how
/// many kept weights it feeds (white: none, the pixel is cut off from the network; darker:
/// more). For a conv first layer (LeNet-5, VGG-like): every filter's taps, kept ones
/// coloured by θ (blue negative, red positive), trimmed ones white and crossed out.
enum SurvivorCharts {
    /// `counts[p]`: kept weights fed by input pixel p, row-major over `height` × `width`, of
    /// `outputs` each pixel could feed.
    static func pixelMap(id: String, title: String, counts: [Int], width: Int, height: Int, outputs: Int) -> String {
        let cell = 12.0, left = 20.0, top = 40.0
        // The colour scale ends at the largest count rounded up to a tick, not at `outputs`: the
        // most any pixel feeds is often a tenth of the outputs, and the map would wash out.
        let largest = Double(max(counts.max() ?? 1, 1))
        let step = AxisScale.niceStep(largest / 4)
        let scaleTop = Int(min(Double(outputs), (largest / step).rounded(.up) * step))
        var c = SVGCanvas(width: left + Double(width) * cell + 120, height: top + Double(height) * cell + 44)
        c.text(title, x: left, y: 20, size: 14, weight: "bold")
        let unused = counts.filter { $0 == 0 }.count
        c.raw("<g class=\"pixel-map\" data-width=\"\(width)\" data-height=\"\(height)\" data-counts=\"\(counts.map(String.init).joined(separator: " "))\">")
        for row in 0..<height {
            for column in 0..<width {
                c.rect(x: left + Double(column) * cell, y: top + Double(row) * cell, width: cell + 0.3, height: cell + 0.3,
                       fill: color(count: counts[row * width + column], maximum: scaleTop))
            }
        }
        c.raw("</g>")
        c.raw("<rect x=\"\(SVGCanvas.px(left))\" y=\"\(SVGCanvas.px(top))\" width=\"\(SVGCanvas.px(Double(width) * cell))\" height=\"\(SVGCanvas.px(Double(height) * cell))\" fill=\"none\" stroke=\"#444\"/>")
        c.text("\(width * height - unused) of \(width * height) pixels feed a kept weight (of \(outputs) each could)", x: left, y: top + Double(height) * cell + 20, size: 12)
        // The colour bar: 0 (white) at the bottom, then one to scaleTop.
        let barX = left + Double(width) * cell + 24, barHeight = Double(height) * cell
        let slices = 60
        for i in 0..<slices {
            let count = i == 0 ? 0 : max(1, Int((Double(i) + 0.5) / Double(slices) * Double(scaleTop)))
            c.rect(x: barX, y: top + barHeight * (1 - Double(i + 1) / Double(slices)), width: 12, height: barHeight / Double(slices) + 0.4,
                   fill: color(count: count, maximum: scaleTop))
        }
        c.raw("<rect x=\"\(SVGCanvas.px(barX))\" y=\"\(SVGCanvas.px(top))\" width=\"12\" height=\"\(SVGCanvas.px(barHeight))\" fill=\"none\" stroke=\"#444\"/>")
        let tickStep = AxisScale.niceStep(Double(scaleTop) / 5)
        for tick in stride(from: 0.0, through: Double(scaleTop) + 1e-9, by: tickStep) {
            c.text(String(Int(tick)), x: barX + 16, y: top + barHeight * (1 - tick / Double(scaleTop)) + 4, size: 10)
        }
        c.text("kept weights per pixel", x: barX + 58, y: top + barHeight / 2, size: 11, anchor: .middle, rotate: -90)
        return c.document()
    }

    /// White for none; then from light yellow (one) to dark purple (`maximum` or more).
    static func color(count: Int, maximum: Int) -> String {
        count == 0 ? "#ffffff" : ChartStyle.sequential(1 - min(Double(count) / Double(max(maximum, 1)), 1))
    }

    /// Filters of shape [out, in, k, k] (`theta` and `kept` in that order), each drawn as its
    /// input channels' k × k taps side by side.
    static func filterGrid(id: String, title: String, theta: [Float], kept: [Bool], shape: [Int]) -> String {
        let (outputs, inputs, k) = (shape[0], shape[1], shape[2])
        let cell = k <= 3 ? 9.0 : 10.0
        let blockWidth = Double(inputs * k) * cell + Double(inputs - 1) * 3
        let blockHeight = Double(k) * cell + 16
        let perRow = max(1, Int((600 - 20) / (blockWidth + 14)))
        let rows = (outputs + perRow - 1) / perRow
        let left = 20.0, top = 40.0
        var c = SVGCanvas(width: 620, height: top + Double(rows) * (blockHeight + 10) + 30)
        c.text(title, x: left, y: 20, size: 14, weight: "bold")
        let largest = zip(theta, kept).filter(\.1).map { Double(abs($0.0)) }.max() ?? 1
        let tapsPerFilter = inputs * k * k
        for filter in 0..<outputs {
            let x0 = left + Double(filter % perRow) * (blockWidth + 14), y0 = top + Double(filter / perRow) * (blockHeight + 10)
            let taps = (filter * tapsPerFilter)..<((filter + 1) * tapsPerFilter)
            c.raw("<g class=\"filter\" data-filter=\"\(filter)\" data-kept=\"\(taps.map { kept[$0] ? "1" : "0" }.joined(separator: " "))\">")
            for channel in 0..<inputs {
                for row in 0..<k {
                    for column in 0..<k {
                        let index = taps.lowerBound + (channel * k + row) * k + column
                        let x = x0 + Double(channel) * (Double(k) * cell + 3) + Double(column) * cell, y = y0 + Double(row) * cell
                        // √ of the relative size, so that small kept taps are not as pale as the trimmed ones.
                        let t = Double(theta[index]) / largest
                        c.rect(x: x, y: y, width: cell, height: cell, fill: kept[index] ? ChartStyle.diverging(t < 0 ? -(-t).squareRoot() : t.squareRoot()) : "#ffffff",
                               stroke: "#bbbbbb")
                        if !kept[index] {
                            c.line(x1: x + 2, y1: y + 2, x2: x + cell - 2, y2: y + cell - 2, stroke: "#999999", width: 0.8)
                            c.line(x1: x + 2, y1: y + cell - 2, x2: x + cell - 2, y2: y + 2, stroke: "#999999", width: 0.8)
                        }
                    }
                }
            }
            c.raw("</g>")
            let survivors = taps.filter { kept[$0] }.count
            c.text("\(survivors)/\(tapsPerFilter)", x: x0 + blockWidth / 2, y: y0 + Double(k) * cell + 12, size: 10, anchor: .middle)
        }
        let keptCount = kept.filter { $0 }.count
        c.text("\(keptCount) of \(theta.count) taps kept; colour: θ of a kept tap (blue < 0 < red, √ scale to ±\(String(format: "%.2g", largest))); ×: trimmed",
               x: left, y: c.height - 10, size: 11)
        return c.document()
    }
}
