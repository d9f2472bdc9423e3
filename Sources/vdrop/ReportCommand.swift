import ArgumentParser
import Foundation
import VDrop

/// `vdrop report`: the paper's pictures of one or several runs, as one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of training runs: learning curves, compression, log α histograms, the first layer's survivors, and Table 1 or 2.",
        discussion: """
            Each RUN_DIR is a run's folder, or a folder of runs (train --seeds, sweep): runs that differ only in their \
            seed are drawn as their mean with a band of ± one standard deviation. Several RUN_DIRs are overlaid in every \
            chart. The page is self-contained (inline SVG, no scripts or fetches); every figure is also written as an SVG \
            file in a folder beside it (report.html → report-figures/).
            """
    )

    @Argument(help: ArgumentHelp("Run folders, or folders of runs.", valueName: "run-dir"))
    var runs: [String]

    @Option(help: "The HTML file to write (default: RUN_DIR/report.html for one folder, report.html for several).")
    var out: String?

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("Name at least one run folder, e.g. vdrop report runs/default.") }
    }

    func run() throws {
        let output = out ?? (runs.count == 1 ? (runs[0] as NSString).appendingPathComponent("report.html") : "report.html")
        let files = try Report.write(paths: runs, to: output)
        print("Report: \(files.html) (\(files.figures.count) figures also as SVG in \(files.figureFolder)/)")
    }
}
