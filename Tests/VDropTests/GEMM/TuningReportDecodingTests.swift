import Foundation
@testable import VDrop
import XCTest

/// A tuning report is read back into CLBlast and vdrop's launch sizes, so every number in a
/// hand-edited or damaged one is checked when it is decoded: a sentence, never a trap.
final class TuningReportDecodingTests: XCTestCase {
    static let report = GemmTuningReport(
        device: "NVIDIA H200", driver: "570.0", date: "2026-12-01T00:00:00Z",
        parameters: CLBlastParameters(xgemm: XgemmConfiguration.seeds[0].parameters, xgemmDirect: XgemmDirectConfiguration.seeds[0].parameters,
                                      minIndirectSize: 256),
        libraryMsPerStep: 2, ruleMsPerStep: 1.5, tunedMsPerStep: 1, configurationsTried: 40, rejected: ["one: failed"], seconds: 60,
        shapes: [.init(shape: GemmShape(transposeA: false, transposeB: true, m: 20, n: 25, k: 57600), perStep: 1,
                       libraryMs: 3.1, ruleMs: 0.06, tunedMs: 0.055, route: .tiled(.small, slices: 225)),
                 .init(shape: GemmShape(transposeA: false, transposeB: false, m: 100, n: 500, k: 800), perStep: 2,
                       libraryMs: 0.1, ruleMs: nil, tunedMs: 0.1, route: .clblast)])

    private func json(_ report: GemmTuningReport) throws -> Data { try JSONEncoder().encode(report) }

    private func assertRefused(_ data: Data, containing phrase: String, _ what: String, line: UInt = #line) {
        XCTAssertThrowsError(try GemmTuningReport.decode(data, file: "hostile.json"), what, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hostile.json") && text.contains(phrase), "\(what): \(text)", line: line)
        }
    }

    func testAReportFromTuneRoundTrips() throws {
        XCTAssertEqual(try GemmTuningReport.decode(json(Self.report), file: "fine.json"), Self.report)
        XCTAssertEqual(try GemmTuningReport.decode(json(Self.report), file: "fine.json").routes.count, 2)
    }

    func testHostileNumbersAreSentences() throws {
        let edits: [(String, (inout GemmTuningReport) -> Void)] = [
            ("has a size outside", { $0.shapes[0].shape.m = -20 }),
            ("has a size outside", { $0.shapes[0].shape.k = Int.max }),
            ("has a size outside", { $0.shapes[1].shape.n = 0 }),
            ("runs -2 times per step", { $0.shapes[1].perStep = -2 }),
            ("cannot be built", { $0.shapes[0].route = .tiled(TiledGemmConfiguration(tileM: 0, tileN: 64, itemM: 4, itemN: 4), slices: 2) }),
            ("cannot be built", { $0.shapes[0].route = .tiled(TiledGemmConfiguration(tileM: 64, tileN: 64, tileK: 0, itemM: 4, itemN: 4), slices: 2) }),
            ("cannot be built", { $0.shapes[0].route = .tiled(TiledGemmConfiguration(tileM: 64, tileN: 64, itemM: 0, itemN: 4), slices: 2) }),
            ("cannot be built", { $0.shapes[0].route = .tiled(TiledGemmConfiguration(tileM: 4, tileN: 8, itemM: 8, itemN: 8), slices: 1) }),
            ("cannot be built", { $0.shapes[0].route = .tiled(TiledGemmConfiguration(tileM: Int.max, tileN: Int.max, itemM: 8, itemN: 8), slices: 1) }),
            ("slices along k", { $0.shapes[0].route = .tiled(.small, slices: 0) }),
            ("slices along k", { $0.shapes[0].route = .tiled(.small, slices: Int.max) }),
            ("not a number", { $0.shapes[0].tunedMs = -1 }),
            ("not a number", { $0.libraryMsPerStep = -3 }),
            ("configurationsTried is negative", { $0.configurationsTried = -1 }),
            ("minIndirectSize", { $0.parameters.minIndirectSize = -1 }),
            ("minIndirectSize", { $0.parameters.minIndirectSize = Int.max }),
            ("Xgemm parameters", { $0.parameters.xgemm?["MDIMA"] = 0 }),
            ("Xgemm parameters", { $0.parameters.xgemm?["MDIMA"] = 4096 }),
            ("Xgemm parameters", { $0.parameters.xgemm?["KWI"] = -2 }),
            ("Xgemm parameters", { $0.parameters.xgemm?["GEMMK"] = 1 }),
            ("Xgemm parameters", { $0.parameters.xgemm?["EXTRA"] = 1 }),
            ("Xgemm parameters", { $0.parameters.xgemm?["VWM"] = nil }),
            ("XgemmDirect parameters", { $0.parameters.xgemmDirect?["WGD"] = 0 }),
            ("XgemmDirect parameters", { $0.parameters.xgemmDirect?["MDIMAD"] = 1 << 40 }),
        ]
        for (phrase, edit) in edits {
            var damaged = Self.report
            edit(&damaged)
            assertRefused(try json(damaged), containing: phrase, phrase)
        }
        assertRefused(Data("{\"device\": 1}".utf8), containing: "is not a tuning report", "wrong types")
        assertRefused(Data("{".utf8), containing: "is not a tuning report", "cut JSON")
        assertRefused(Data([0xFF, 0xFE]), containing: "is not a tuning report", "not text")
        // A number too large for Int is a decoding error, not a trap.
        let huge = String(decoding: try json(Self.report), as: UTF8.self).replacingOccurrences(of: "57600", with: "1e400")
        assertRefused(Data(huge.utf8), containing: "is not a tuning report", "1e400")
    }
}
