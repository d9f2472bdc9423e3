import Foundation

/// `vdrop report`: reads runs back from their folders and writes one self-contained HTML
/// page with the paper's pictures, plus every figure as a standalone SVG beside it.
public enum Report {
    /// What a report wrote.
    public struct Files: Equatable, Sendable {
        public var html: String
        public var figureFolder: String
        public var figures: [String]
    }

    /// The folder of standalone figures for the page at `html`: "report.html" → "report-figures".
    public static func figureFolder(for html: String) -> String {
        let url = URL(fileURLWithPath: html)
        return url.deletingPathExtension().path + "-figures"
    }

    /// The groups and figures of the runs under `paths` (each a run's folder or a folder of runs).
    public static func build(paths: [String]) throws -> (groups: [RunGroup], figures: [ReportFigure]) {
        guard !paths.isEmpty else { throw ReportError("Name at least one run folder to report on.") }
        let groups = RunGroup.make(arguments: try paths.map { ($0, try ReportRun.discover($0)) })
        return (groups, ReportFigures(groups: groups).all)
    }

    /// Writes the report of the runs under `paths` to `output`, and its figures to ``figureFolder(for:)``.
    @discardableResult
    public static func write(paths: [String], to output: String) throws -> Files {
        let (groups, figures) = try build(paths: paths)
        let folder = figureFolder(for: output)
        let parent = (output as NSString).deletingLastPathComponent
        do {
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError("\(folder) cannot be created as a folder for the figures: \(RunFolder.reason(error)).")
        }
        var written: [String] = []
        for figure in figures {
            let path = (folder as NSString).appendingPathComponent(figure.name + ".svg")
            try writeAtomically(Data(figure.standaloneSVG.utf8), to: path)
            written.append(path)
        }
        let html = ReportPage.html(groups: groups, figures: figures, figureFolder: (folder as NSString).lastPathComponent)
        try writeAtomically(Data(html.utf8), to: output)
        return Files(html: output, figureFolder: folder, figures: written)
    }
}
