import Foundation
@testable import VDrop
import XCTest

/// Data files built to break the readers: each must be refused with a sentence naming the
/// file, quickly, without trapping and without allocating what a header merely claims.
final class HostileDataTests: TemporaryFolderTestCase {
    /// An IDX header (unsigned bytes) with these dimensions, as 32-bit big-endian words.
    private func idxHeader(_ dimensions: [UInt32]) -> Data {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return Data(bytes)
    }

    /// `data` as /bin/gzip writes it.
    private func gzipped(_ data: Data) throws -> Data {
        let file = folder + "/\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: file))
        try gzipFile(file)
        return try Data(contentsOf: URL(fileURLWithPath: file + ".gz"))
    }

    private func assertRefused(_ what: String, containing phrase: String, file: String = "hostile", _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), what) { error in
            let text = "\(error)"
            XCTAssertTrue(error is DatasetError && text.contains(file) && text.contains(phrase), "\(what): \(text)")
        }
    }

    func testIDXDimensionsThatOverflowIntAreRefused() {
        for dimensions: [UInt32] in [[0xFFFF_FFFF, 3], [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF],
                                     [0x8000_0000, 0x8000_0000, 2], [65536, 65536, 2]] {
            let header = idxHeader(dimensions)
            assertRefused("\(dimensions)", containing: "more than the \(IDXFile.maximumValues)") {
                _ = try IDXFile.read(data: header + Data(repeating: 0, count: 16), name: "hostile")
            }
        }
        // Zero images are refused where a data set is made of them.
        let empty = (dimensions: [0, 28, 28], values: [UInt8]())
        assertRefused("no images", containing: "holds no images") {
            _ = try IDXFile.dataset(images: empty, labels: (dimensions: [0], values: []), imagePath: "hostile", labelPath: "labels", name: "x")
        }
        // Contents a caller built, which need not fill their dimensions, are checked too.
        let images = (dimensions: [2, 2, 2], values: [UInt8](repeating: 0, count: 8))
        assertRefused("short labels", containing: "holds 1 values for its 2 labels") {
            _ = try IDXFile.dataset(images: images, labels: (dimensions: [2], values: [0]), imagePath: "images", labelPath: "hostile", name: "x")
        }
        assertRefused("huge images", containing: "holds 8 values for its") {
            _ = try IDXFile.dataset(images: (dimensions: [Int.max, Int.max, 2], values: images.values), labels: (dimensions: [2], values: [0, 0]),
                                    imagePath: "hostile", labelPath: "labels", name: "x")
        }
    }

    /// 8 MB of zeros behind a header that declares 10 images: the gzip stream inflates 1000 times
    /// past what the header declares, and is refused after reading one byte more than it.
    func testAGzipBombBehindASmallIDXHeaderIsRefused() throws {
        let bomb = try gzipped(idxHeader([10, 28, 28]) + Data(count: 8 << 20))
        XCTAssertLessThan(bomb.count, 64 << 10, "the bomb is small")
        assertRefused("bomb", containing: "inflates past the 7856 bytes its IDX header declares") {
            _ = try IDXFile.read(data: bomb, name: "hostile")
        }
        // The same header with exactly its values is read.
        let exact = try gzipped(idxHeader([10, 28, 28]) + Data(repeating: 7, count: 7840))
        let read = try IDXFile.read(data: exact, name: "exact")
        XCTAssertEqual(read.dimensions, [10, 28, 28])
        XCTAssertEqual(read.values.count, 7840)
        // And a stream that stops short of its header's promise is truncated.
        let short = try gzipped(idxHeader([10, 28, 28]) + Data(count: 100))
        assertRefused("short", containing: "(truncated)") { _ = try IDXFile.read(data: short, name: "hostile") }
    }

    /// A stream with no header to bound it stops at the limit: here 1 MB of a 16 MB bomb.
    func testGzipWithoutADeclaredSizeStopsAtItsLimit() throws {
        let bomb = try gzipped(Data(count: 16 << 20))
        assertRefused("bomb", containing: "inflates to more than \(1 << 20) bytes") {
            _ = try Gzip.decompress(bomb, file: "hostile", limit: 1 << 20)
        }
        XCTAssertEqual(try Gzip.decompress(bomb, file: "fine", limit: 16 << 20).count, 16 << 20)
        XCTAssertEqual(Gzip.maximumInflatedBytes, 1 << 30)
    }

    func testDamagedGzipIsASentence() throws {
        let good = try gzipped(idxHeader([3]) + Data([1, 2, 3]))
        var corrupt = [UInt8](good)
        for i in 10..<(corrupt.count - 8) { corrupt[i] ^= 0x5A }
        assertRefused("corrupt", containing: "hostile") { _ = try IDXFile.read(data: Data(corrupt), name: "hostile") }
        for cut in [2, 3, 10, good.count - 9] {
            assertRefused("cut at \(cut)", containing: "hostile") { _ = try IDXFile.read(data: good.prefix(cut), name: "hostile") }
        }
        XCTAssertEqual(try IDXFile.read(data: good, name: "fine").values, [1, 2, 3])
    }

    func testCIFARSizesLabelsAndCompressionAreChecked() throws {
        let record = Data([3]) + Data(repeating: 9, count: CIFAR10File.recordSize - 1)
        XCTAssertEqual(try CIFAR10File.read(data: record + record, name: "fine").labels, [3, 3])
        assertRefused("empty", containing: "not a whole number") { _ = try CIFAR10File.read(data: Data(), name: "hostile") }
        assertRefused("short", containing: "not a whole number") { _ = try CIFAR10File.read(data: record.dropLast(), name: "hostile") }
        var mislabeled = record + record
        mislabeled[CIFAR10File.recordSize] = 255
        assertRefused("label", containing: "record 1 has label 255") { _ = try CIFAR10File.read(data: mislabeled, name: "hostile") }
        let compressed = try gzipped(record)
        assertRefused("gzip", containing: "gzip-compressed") { _ = try CIFAR10File.read(data: compressed, name: "hostile") }
    }
}
