import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import VDrop
import XCTest

/// Reads a figure's SVG back as elements (which also proves it is well-formed XML), and
/// turns its plotted pixels back into data through the scales the plot group declares.
struct SVGReader {
    struct Element {
        var name: String
        var attributes: [String: String]
        func numbers(_ key: String) -> [Double] { (attributes[key] ?? "").split(separator: " ").compactMap { Double($0) } }
    }

    private(set) var elements: [Element] = []

    init(_ svg: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw ReportError("The SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error").")
        }
        elements = delegate.elements
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(Element(name: name, attributes: attributes))
        }
    }

    func all(className: String) -> [Element] { elements.filter { $0.attributes["class"] == className } }

    func series(_ label: String) -> Element? { all(className: "series").first { $0.attributes["data-label"] == label } }
    func band(_ label: String) -> Element? { all(className: "band").first { $0.attributes["data-label"] == label } }

    /// The plot group: its scales and area.
    var plot: (x: AxisScale, y: AxisScale, area: [Double])? {
        guard let group = elements.first(where: { $0.attributes["class"] == "plot" }) else { return nil }
        func scale(_ text: String?) -> AxisScale? {
            let parts = (text ?? "").split(separator: " ")
            guard parts.count == 3, let kind = AxisScale.Kind(rawValue: String(parts[0])),
                  let lower = Double(parts[1]), let upper = Double(parts[2]) else { return nil }
            return AxisScale(kind: kind, lower: lower, upper: upper)
        }
        guard let x = scale(group.attributes["data-x-scale"]), let y = scale(group.attributes["data-y-scale"]) else { return nil }
        return (x, y, group.numbers("data-area"))
    }

    /// The points of a path's "M x y L x y …", in pixels.
    static func points(_ d: String) -> [(Double, Double)] {
        let numbers = d.split(whereSeparator: { $0 == " " || $0 == "M" || $0 == "L" || $0 == "Z" }).compactMap { Double($0) }
        return stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
    }

    /// Asserts that the path of a series passes through its data-x/data-y values, mapped by the
    /// plot's scales, to within the hundredth of a pixel the SVG is written with.
    func assertPathMatchesData(_ element: Element, file: StaticString = #filePath, line: UInt = #line) {
        guard let plot, plot.area.count == 4 else { return XCTFail("no plot group with scales", file: file, line: line) }
        let xs = element.numbers("data-x"), ys = element.numbers("data-y")
        let points = Self.points(element.attributes["d"] ?? "")
        XCTAssertEqual(points.count, xs.count, "one path point per value", file: file, line: line)
        for (i, (px, py)) in points.enumerated() where i < xs.count {
            let expectedX = plot.area[0] + plot.x.fraction(xs[i]) * plot.area[2]
            let expectedY = plot.area[1] + (1 - plot.y.fraction(ys[i])) * plot.area[3]
            XCTAssertEqual(px, expectedX, accuracy: 0.006, "x pixel of point \(i)", file: file, line: line)
            XCTAssertEqual(py, expectedY, accuracy: 0.006, "y pixel of point \(i)", file: file, line: line)
        }
    }
}
