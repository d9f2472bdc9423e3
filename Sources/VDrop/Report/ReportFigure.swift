/// One figure of the report: its SVG (inline form), the file name it is also written
/// under, and the caption that says what it shows.
public struct ReportFigure {
    /// The standalone file's name without extension, e.g. "compression" or "log-alpha-dense1".
    public var name: String
    public var section: ReportSection
    public var svg: String
    public var caption: String

    /// The drawing's width in pixels (its caption wraps to it).
    public var width: Int {
        guard let start = svg.range(of: "width=\"")?.upperBound, let end = svg[start...].firstIndex(of: "\"") else { return 640 }
        return Int(Double(svg[start..<end]) ?? 640)
    }

    /// The SVG as a file of its own: the same drawing with the namespace a file needs.
    public var standaloneSVG: String {
        guard svg.hasPrefix("<svg ") else { return svg }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" " + svg.dropFirst(5)
    }
}

/// The report's sections, in page order.
public enum ReportSection: String, CaseIterable, Sendable {
    case comparison = "Error against compression"
    case learningCurves = "Learning curves"
    case compression = "Compression"
    case histograms = "Weight histograms"
    case survivors = "The first layer's survivors"
}
