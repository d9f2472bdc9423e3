import Foundation
@testable import VDrop
import XCTest

/// The report plots the metrics: every chart's series, read back from the SVG's data
/// attributes, equals the runs' numbers (or their mean and standard deviation over seeds), and
/// its path passes through them on the declared scales. The page fetches nothing.
final class ReportFigureTests: TemporaryFolderTestCase {
    func figure(_ name: String, in figures: [ReportFigure]) throws -> SVGReader {
        try SVGReader(try XCTUnwrap(figures.first { $0.name == name }, "no figure \(name)").svg)
    }

    func testASingleRunsCurvesAreItsMetrics() throws {
        let run = folder + "/run"
        try SyntheticRuns.write(folder: run, configuration: SyntheticRuns.configuration(seed: 1), offset: 0)
        let (groups, figures) = try Report.build(paths: [run])
        XCTAssertEqual(groups.count, 1)
        let records = (1...4).map { SyntheticRuns.record(epoch: $0, offset: 0) }

        let error = try figure("error", in: figures)
        let test = try XCTUnwrap(error.series("run test"))
        XCTAssertEqual(test.numbers("data-x"), [1, 3, 4], "the epoch --eval-every skipped has no test point")
        XCTAssertEqual(test.numbers("data-y"), records.compactMap(\.testError))
        XCTAssertEqual(try XCTUnwrap(error.series("run train")).numbers("data-y"), records.map(\.trainError))
        error.assertPathMatchesData(test)

        let compression = try figure("compression", in: figures)
        let line = try XCTUnwrap(compression.series("run"))
        XCTAssertEqual(line.numbers("data-y"), records.map(\.compression))
        XCTAssertEqual(compression.plot?.y.kind, .log, "compression spans decades")
        compression.assertPathMatchesData(line)

        let kept = try figure("kept-fraction", in: figures)
        for layer in ["dense1", "dense2", "dense3"] {
            let series = try XCTUnwrap(kept.series(layer))
            XCTAssertEqual(series.numbers("data-y"), records.map { r in 100 * r.layers!.first { $0.layer == layer }!.keptMu })
            kept.assertPathMatchesData(series)
        }
        let median = try figure("log-alpha-median", in: figures)
        let band = try XCTUnwrap(median.band("dense1"))
        XCTAssertEqual(band.numbers("data-lower"), records.map { $0.layers![0].logAlphaP25 })
        XCTAssertEqual(band.numbers("data-upper"), records.map { $0.layers![0].logAlphaP75 })
        XCTAssertEqual(try XCTUnwrap(median.series("dense1")).numbers("data-y"), records.map { $0.layers![0].logAlphaP50 })
        XCTAssertEqual(try XCTUnwrap(try figure("mean-abs-theta", in: figures).series("dense2")).numbers("data-y"),
                       records.map { $0.layers![1].meanAbsTheta })
    }

    func testHistogramsAreTheRecordedCounts() throws {
        let run = folder + "/run"
        try SyntheticRuns.write(folder: run, configuration: SyntheticRuns.configuration(seed: 1), offset: 0)
        let figures = try Report.build(paths: [run]).figures
        let log = SyntheticRuns.histograms(offset: 0)
        let final = log.snapshots.last!.layers[1]
        let chart = try figure("log-alpha-dense2", in: figures)
        let outlines = chart.all(className: "histogram")
        XCTAssertEqual(outlines.map { $0.numbers("data-counts").map(Int.init) }, [final.logAlpha.counts, final.logAlphaKeptByMu.counts])
        XCTAssertEqual(outlines[0].numbers("data-edges"), (0...final.logAlpha.counts.count).map(final.logAlpha.edge))
        XCTAssertEqual(chart.all(className: "reference").count, 1, "the log α threshold is marked")
        let theta = try figure("log-theta-dense2", in: figures)
        XCTAssertEqual(theta.all(className: "histogram").map { $0.numbers("data-counts").map(Int.init) },
                       [final.log10AbsTheta.counts, final.log10AbsThetaKeptByLogAlpha.counts])
        let heat = try figure("log-alpha-evolution-dense2", in: figures)
        let columns = heat.all(className: "heatmap-column")
        XCTAssertEqual(columns.map { Int($0.attributes["data-epoch"]!)! }, [0, 2, 4])
        XCTAssertEqual(columns.map { $0.numbers("data-counts").map(Int.init) }, log.snapshots.map { $0.layers[1].logAlpha.counts })
    }

    /// A --seeds run: one group, its mean with a band of ± std, and Table 1's row.
    func testSeedsAreAveragedWithABandAndATableRow() throws {
        let base = folder + "/seeds"
        try SyntheticRuns.write(folder: base + "/seed-1", configuration: SyntheticRuns.configuration(seed: 1), offset: 0)
        try SyntheticRuns.write(folder: base + "/seed-2", configuration: SyntheticRuns.configuration(seed: 2), offset: 1)
        let (groups, figures) = try Report.build(paths: [base])
        XCTAssertEqual(groups.count, 1)
        XCTAssertEqual(groups[0].runs.count, 2)
        let chart = try figure("compression", in: figures)
        let a = (1...4).map { SyntheticRuns.record(epoch: $0, offset: 0).compression }
        let b = (1...4).map { SyntheticRuns.record(epoch: $0, offset: 1).compression }
        let stats = zip(a, b).map { MeanStd([$0, $1]) }
        XCTAssertEqual(try XCTUnwrap(chart.series("seeds")).numbers("data-y"), stats.map(\.mean))
        let band = try XCTUnwrap(chart.band("seeds"))
        XCTAssertEqual(band.numbers("data-lower"), stats.map { $0.mean - $0.std })
        XCTAssertEqual(band.numbers("data-upper"), stats.map { $0.mean + $0.std })

        let html = ReportPage.html(groups: groups, figures: figures, figureFolder: "report-figures")
        let error = MeanStd([SyntheticRuns.record(epoch: 4, offset: 0).testError!, SyntheticRuns.record(epoch: 4, offset: 1).testError!])
        let compression = MeanStd([a[3], b[3]])
        XCTAssertTrue(html.contains("<td>\(error.formatted(digits: 2))</td><td>\(compression.formatted(digits: 1))</td>"), "Table 1's row")
        XCTAssertTrue(html.contains("Table 1"))
    }

    /// A sweep: Table 2 (a row per a) and one point per a with error bars of ± std over seeds.
    func testASweepGivesTable2AndItsPicture() throws {
        let base = folder + "/sweep"
        for (i, a) in [Float(0.505), 0.52].enumerated() {
            for seed in [UInt64(1), 2] {
                try SyntheticRuns.write(folder: base + "/a-\(a)-seed-\(seed)", configuration: SyntheticRuns.configuration(seed: seed, objective: .gamma, a: a),
                                        offset: Double(i) * 3 + Double(seed))
            }
        }
        let (groups, figures) = try Report.build(paths: [base])
        XCTAssertEqual(groups.map(\.label), ["a = 0.505", "a = 0.52"])
        XCTAssertTrue(RunGroup.isSweep(groups))
        let chart = try figure("error-vs-compression", in: figures)
        XCTAssertEqual(chart.plot?.x.kind, .log)
        for (i, group) in groups.enumerated() {
            let offsets = [Double(i) * 3 + 1, Double(i) * 3 + 2]
            let error = MeanStd(offsets.map { SyntheticRuns.record(epoch: 4, offset: $0).testError! })
            let compression = MeanStd(offsets.map { SyntheticRuns.record(epoch: 4, offset: $0).compression })
            let point = try XCTUnwrap(chart.series(group.label))
            XCTAssertEqual(point.numbers("data-x"), [compression.mean])
            XCTAssertEqual(point.numbers("data-y"), [error.mean])
            chart.assertPathMatchesData(point)
        }
        XCTAssertEqual(chart.all(className: "error-bar").count, 4, "an error bar each way per point")
        let html = ReportPage.html(groups: groups, figures: figures, figureFolder: "report-figures")
        XCTAssertTrue(html.contains("<th class=\"text\">a</th>") && html.contains("<td class=\"text\">0.505</td>") && html.contains("Table 2"))
    }

    /// `report runs/ard runs/svdo`: both in every chart, named by their folders, one legend.
    func testSeveralFoldersAreOverlaid() throws {
        try SyntheticRuns.write(folder: folder + "/ard", configuration: SyntheticRuns.configuration(seed: 1), offset: 0)
        try SyntheticRuns.write(folder: folder + "/svdo", configuration: SyntheticRuns.configuration(seed: 1, objective: .svdo), offset: 2)
        let (groups, figures) = try Report.build(paths: [folder + "/ard", folder + "/svdo"])
        XCTAssertEqual(groups.map(\.label), ["ard", "svdo"])
        let chart = try figure("compression", in: figures)
        XCTAssertEqual(chart.all(className: "series").compactMap { $0.attributes["data-label"] }, ["ard", "svdo"])
        XCTAssertEqual(try XCTUnwrap(chart.series("svdo")).numbers("data-y"), (1...4).map { SyntheticRuns.record(epoch: $0, offset: 2).compression })
        XCTAssertNotNil(figures.first { $0.name == "error-vs-compression" })
    }

    /// The page and its figures: no URL fetched, no script, well-formed SVG, written to disk.
    func testThePageIsSelfContained() throws {
        let run = folder + "/run"
        try SyntheticRuns.write(folder: run, configuration: SyntheticRuns.configuration(seed: 1), offset: 0)
        let files = try Report.write(paths: [run], to: run + "/report.html")
        let html = try String(contentsOfFile: files.html, encoding: .utf8)
        for forbidden in ["http://", "https://", "<script", " src=", "@import", "<link"] {
            XCTAssertFalse(html.contains(forbidden), "the page holds \(forbidden)")
        }
        XCTAssertFalse(html.replacingOccurrences(of: "url(#", with: "").contains("url("), "only clip paths inside the page are referenced")
        XCTAssertEqual(files.figureFolder, run + "/report-figures")
        XCTAssertEqual(files.figures.count, try Report.build(paths: [run]).figures.count)
        for path in files.figures {
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" "), "\(path) names the SVG namespace")
            _ = try SVGReader(svg)
        }
    }

    /// A conv layer's filters: each filter's kept taps, in [out, in, k, k] order.
    func testFilterGridMarksTheKeptTaps() throws {
        let shape = [2, 3, 3, 3]
        let theta = (0..<54).map { Float($0 % 7 == 0 ? 0.001 : Double($0) / 54 - 0.5) }
        let kept = theta.map { abs($0) >= 0.01 }
        let svg = try SVGReader(SurvivorCharts.filterGrid(id: "f", title: "conv1", theta: theta, kept: kept, shape: shape))
        let filters = svg.all(className: "filter")
        XCTAssertEqual(filters.map { $0.attributes["data-filter"] }, ["0", "1"])
        XCTAssertEqual(filters.flatMap { $0.numbers("data-kept").map { $0 == 1 } }, kept)
    }

    func testAxisTicksAndLabels() {
        let log = AxisScale.fitted([1.5, 60], kind: .log)
        XCTAssertEqual(log, AxisScale(kind: .log, lower: 1, upper: 100))
        XCTAssertEqual(log.ticks, [1, 2, 5, 10, 20, 50, 100], "2 and 5 between the decades when only two show")
        XCTAssertEqual(AxisScale.fitted([0.002, 5000]).ticks.count, 8, "a log scale chosen for values over decades, a tick a decade")
        let linear = AxisScale.fitted([0.3, 9.7])
        XCTAssertEqual(linear.ticks, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(AxisScale(kind: .linear, lower: -1e-19, upper: 1).label(-1e-19), "0.0", "no negative zero")
        XCTAssertEqual(AxisScale(kind: .log, lower: 1e-6, upper: 1).label(1e-5), "10⁻⁵")
        XCTAssertEqual(AxisScale(kind: .log, lower: 1e-3, upper: 1).label(0.01), "0.01")
        let narrow = AxisScale.fitted([1.12, 1.93], kind: .log)
        XCTAssertEqual(narrow, AxisScale(kind: .log, lower: 1, upper: 2), "within half a decade: the values' own span")
        XCTAssertEqual(narrow.ticks.map(narrow.label), ["1.0", "1.2", "1.4", "1.6", "1.8", "2.0"])
    }

    func testAFolderWithoutRunsIsASentence() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Report.build(paths: [folder])) { error in
            XCTAssertEqual("\(error)", "\(folder!) holds no vdrop run: neither it nor a folder inside it has a metrics.jsonl.")
        }
        XCTAssertThrowsError(try Report.build(paths: [folder + "/missing"])) { error in
            XCTAssertTrue("\(error)".hasSuffix("is not a folder; name the folder of a vdrop training run."))
        }
    }
}
