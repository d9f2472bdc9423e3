import Foundation
@testable import VDrop
import XCTest

/// The fuzz targets' inputs, replayed by the suite: the seeds in `Fuzz/corpus` must stay valid
/// (else the fuzzer starts from the first checks only), and every input the fuzzer found that
/// crashed, kept in `Fuzz/regressions`, must now load or throw a sentence.
final class FuzzInputTests: XCTestCase {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// What each target does with its input, as `Fuzz/Sources/Fuzz<Target>` does it.
    static let parsers: [String: (Data) throws -> Void] = [
        "IDX": { data in
            let file = try IDXFile.read(data: data, name: "fuzz")
            guard file.dimensions[0] <= 1 << 16 else { return }
            let count = file.dimensions[0], zeros = [UInt8](repeating: 0, count: file.dimensions[0])
            switch file.dimensions.count {
            case 3: _ = try IDXFile.dataset(images: file, labels: ([count], zeros), imagePath: "images", labelPath: "labels", name: "fuzz")
            case 1: _ = try IDXFile.dataset(images: ([count, 1, 1], zeros), labels: file, imagePath: "images", labelPath: "labels", name: "fuzz")
            default: break
            }
        },
        "CIFAR": { _ = try CIFAR10File.read(data: $0, name: "fuzz") },
        "Gzip": { _ = try Gzip.decompress($0, file: "fuzz", limit: 1 << 16) },
        "SafeTensors": { data in
            // Plain tensors, or a checkpoint when its metadata says it is one.
            if try SafeTensors.decode(data, file: "fuzz").metadata["vdrop.format"] != nil { _ = try Checkpoint(data: data, file: "fuzz") }
        },
        "TuningReport": { _ = try GemmTuningReport.decode($0, file: "fuzz") },
        "Exported": { _ = try InferenceModel(exportedData: $0, file: "fuzz") },
        "ONNX": { _ = try InferenceModel(onnx: $0, file: "fuzz") },
    ]

    private func files(_ folder: String, _ target: String) throws -> [URL] {
        let url = Self.fuzzFolder.appendingPathComponent(folder).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
    }

    func testTheSeedsAreValidInputs() throws {
        var seen = 0
        for (target, parse) in Self.parsers {
            for seed in try files("corpus", target) where seed.lastPathComponent.hasPrefix("valid-") {
                XCTAssertNoThrow(try parse(Data(contentsOf: seed)), "\(target)/\(seed.lastPathComponent)")
                seen += 1
            }
        }
        XCTAssertGreaterThanOrEqual(seen, 17, "the seeds are where \(Self.fuzzFolder.path)/corpus says")
    }

    /// Each input the fuzzer found; a trap here would end the test process.
    func testEveryCrashTheFuzzerFoundIsNowASentence() throws {
        for (target, parse) in Self.parsers {
            for input in try files("regressions", target) {
                do {
                    try parse(Data(contentsOf: input))
                } catch {
                    XCTAssertTrue(error is any FileContentError, "\(target)/\(input.lastPathComponent): \(error)")
                }
            }
        }
    }

    /// The fuzzer's first find (Fuzz/regressions/IDX/oom-5550…): a valid IDX header for
    /// 4,227,793,662 images of 0 × 16,777,728 pixels holds no bytes at all, so a data set of it
    /// needed 4 GB of labels. Images with no pixels are refused before any label is read.
    func testImagesOfNoPixelsAreRefused() throws {
        let input = Data(base64Encoded: "AAAIA/v/Av4AAAAAAQACAA==")!
        let file = try IDXFile.read(data: input, name: "fuzz")
        XCTAssertEqual(file.dimensions, [4_227_793_662, 0, 16_777_728])
        XCTAssertThrowsError(try IDXFile.dataset(images: file, labels: (dimensions: [4_227_793_662], values: []),
                                                 imagePath: "images", labelPath: "labels", name: "fuzz")) { error in
            XCTAssertTrue("\(error)".contains("holds images of 0×16777728 pixels"), "\(error)")
        }
    }
}
