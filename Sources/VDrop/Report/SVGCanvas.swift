import Foundation

/// Collects SVG elements as text. The report writes its SVG by hand because no Swift
/// plotting package runs on Linux, and a chart needs only lines, rectangles, paths and text.
///
/// Coordinates are written with two decimals (a hundredth of a pixel); data values in
/// `data-*` attributes are written in full (Swift's shortest round-trip form), so a test or a
/// script reads back exactly the numbers that were plotted.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A pixel coordinate or length.
    static func px(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    /// Data values for a `data-*` attribute, space-separated, exact.
    static func values(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: " ") }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// `name="value"` pairs, escaped, in the order given.
    static func attributes(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { " \($0.key)=\"\(escaped($0.value))\"" }.joined()
    }

    mutating func raw(_ text: String) { body += text + "\n" }

    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        raw("<\(name)\(Self.attributes(attributes))/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil,
                       className: String? = nil) {
        raw("<line x1=\"\(Self.px(x1))\" y1=\"\(Self.px(y1))\" x2=\"\(Self.px(x2))\" y2=\"\(Self.px(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.px(width))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + (className.map { " class=\"\($0)\"" } ?? "") + "/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, extra: String = "") {
        raw("<rect x=\"\(Self.px(x))\" y=\"\(Self.px(y))\" width=\"\(Self.px(width))\" height=\"\(Self.px(height))\" fill=\"\(fill)\""
            + (stroke.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? "") + extra + "/>")
    }

    enum Anchor: String { case start, middle, end }

    /// Text at (x, y) on its baseline; `rotate` turns it (degrees) about that point.
    mutating func text(_ text: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, weight: String? = nil,
                       rotate: Double? = nil, fill: String = "#222", halo: String? = nil) {
        var attributes = "x=\"\(Self.px(x))\" y=\"\(Self.px(y))\" font-size=\"\(Self.px(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        // A halo (the text's outline drawn under its fill) keeps it readable over any colour.
        if let halo { attributes += " stroke=\"\(halo)\" stroke-width=\"3\" paint-order=\"stroke\"" }
        if let rotate { attributes += " transform=\"rotate(\(Self.px(rotate)) \(Self.px(x)) \(Self.px(y)))\"" }
        raw("<text \(attributes)>\(Self.escaped(text))</text>")
    }

    /// A path through `points` (pixels), "M x y L x y …".
    static func pathData(_ points: [(Double, Double)]) -> String {
        points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(px($0.element.0)) \(px($0.element.1))" }.joined(separator: " ")
    }

    /// The `<svg>` element, as HTML inlines it: without the namespace, which only a file of its
    /// own needs (``ReportFigure/standaloneSVG`` adds it), so that the page names no URL at all.
    func document() -> String {
        "<svg width=\"\(Self.px(width))\" height=\"\(Self.px(height))\" viewBox=\"0 0 \(Self.px(width)) \(Self.px(height))\" "
            + "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
    }

    /// A rough width of `text` in pixels at `size` (sans-serif averages about 0.6 em a character),
    /// for laying out legends and margins without a font engine.
    static func textWidth(_ text: String, size: Double = 12) -> Double { Double(text.count) * size * 0.6 }
}
