import Foundation

/// Colours, dash patterns, markers and colour maps of the report, chosen to survive a
/// greyscale printout: the line colours differ in lightness as well as hue (Okabe–Ito's
/// colour-blind-safe set, ordered so neighbours differ most), every series also carries a
/// marker shape, and the colour maps run monotonically from dark to light.
enum ChartStyle {
    /// Okabe–Ito, reordered by contrast of lightness: black, blue, orange, green, pink, vermillion, sky blue.
    static let colors = ["#1a1a1a", "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"]
    static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3"]

    enum Marker: CaseIterable { case circle, square, triangle, diamond, triangleDown, cross }

    static func color(_ index: Int) -> String { colors[index % colors.count] }
    static func dash(_ index: Int) -> String? { dashes[index % dashes.count] }
    static func marker(_ index: Int) -> Marker { Marker.allCases[index % Marker.allCases.count] }

    /// The marker's SVG at (x, y), radius r.
    static func markerSVG(_ marker: Marker, x: Double, y: Double, r: Double, color: String) -> String {
        let p = SVGCanvas.px
        switch marker {
        case .circle:
            return "<circle cx=\"\(p(x))\" cy=\"\(p(y))\" r=\"\(p(r))\" fill=\"\(color)\"/>"
        case .square:
            return "<rect x=\"\(p(x - r))\" y=\"\(p(y - r))\" width=\"\(p(2 * r))\" height=\"\(p(2 * r))\" fill=\"\(color)\"/>"
        case .triangle:
            return "<path d=\"M\(p(x)) \(p(y - 1.2 * r)) L\(p(x + 1.1 * r)) \(p(y + 0.8 * r)) L\(p(x - 1.1 * r)) \(p(y + 0.8 * r)) Z\" fill=\"\(color)\"/>"
        case .triangleDown:
            return "<path d=\"M\(p(x)) \(p(y + 1.2 * r)) L\(p(x + 1.1 * r)) \(p(y - 0.8 * r)) L\(p(x - 1.1 * r)) \(p(y - 0.8 * r)) Z\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        case .diamond:
            return "<path d=\"M\(p(x)) \(p(y - 1.3 * r)) L\(p(x + 1.3 * r)) \(p(y)) L\(p(x)) \(p(y + 1.3 * r)) L\(p(x - 1.3 * r)) \(p(y)) Z\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"1.5\"/>"
        case .cross:
            return "<path d=\"M\(p(x - r)) \(p(y - r)) L\(p(x + r)) \(p(y + r)) M\(p(x - r)) \(p(y + r)) L\(p(x + r)) \(p(y - r))\" stroke=\"\(color)\" stroke-width=\"1.8\"/>"
        }
    }

    /// Viridis at ten stops: dark purple (0) to yellow (1), lightness rising throughout.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]

    /// A colour of the sequential map at t in [0, 1].
    static func sequential(_ t: Double) -> String { interpolate(viridis, t) }

    /// A diverging map for signed values at t in [−1, 1]: dark blue, white at 0, dark red.
    static func diverging(_ t: Double) -> String {
        interpolate([(33, 102, 172), (146, 197, 222), (247, 247, 247), (244, 165, 130), (178, 24, 43)], (t + 1) / 2)
    }

    static func interpolate(_ stops: [(Double, Double, Double)], _ t: Double) -> String {
        let clamped = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(clamped), stops.count - 2)
        let f = clamped - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        func channel(_ x: Double, _ y: Double) -> Int { Int((x + f * (y - x)).rounded()) }
        return String(format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }
}
