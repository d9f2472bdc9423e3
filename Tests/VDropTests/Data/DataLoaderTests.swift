import Foundation
import VDrop
import XCTest

final class DataLoaderTests: TemporaryFolderTestCase {
    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// An IDX file of unsigned bytes with the given dimensions and values.
    private func idx(_ dimensions: [Int], _ values: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return Data(bytes + values)
    }

    /// A 28×28 MNIST-style set of `count` images with pixel i·k mod 256 and labels k mod 10.
    private func writeMNIST(train: Int, test: Int, compressed: Bool) throws {
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let pixels = (0..<(count * 784)).map { UInt8($0 % 251) }
            try idx([count, 28, 28], pixels).write(to: URL(fileURLWithPath: path("\(prefix)-images-idx3-ubyte")))
            try idx([count], (0..<count).map { UInt8($0 % 10) }).write(to: URL(fileURLWithPath: path("\(prefix)-labels-idx1-ubyte")))
            if compressed {
                try gzipFile(path("\(prefix)-images-idx3-ubyte"))
                try gzipFile(path("\(prefix)-labels-idx1-ubyte"))
            }
        }
    }

    func testReadsGeneratedIDXRawAndGzipped() throws {
        for compressed in [false, true] {
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try writeMNIST(train: 12, test: 5, compressed: compressed)
            let split = try DataSource.load(directory: folder, model: .lenet5)
            XCTAssertEqual(split.train.count, 12)
            XCTAssertEqual(split.test.count, 5)
            XCTAssertEqual(split.train.sampleShape, [1, 28, 28])
            XCTAssertEqual(split.train.labels[7], 7)
            XCTAssertEqual(split.train.images[300], Float(300 % 251) / 255, accuracy: 1e-7)
        }
    }

    /// Dimensions are big-endian 32-bit: 70,000 labels (0x00011170) need the second byte, which
    /// MNIST's 60,000 (0x0000EA60) leaves 0, so a reader that mixed up the high bytes would pass it.
    func testReadsADimensionAbove65535() throws {
        let file = path("many-labels-idx1-ubyte")
        try idx([70_000], (0..<70_000).map { UInt8($0 % 10) }).write(to: URL(fileURLWithPath: file))
        let (dimensions, values) = try IDXFile.read(file)
        XCTAssertEqual(dimensions, [70_000])
        XCTAssertEqual(values.count, 70_000)
    }

    func testTruncatedIDXNamesTheFileAndTheProblem() throws {
        try writeMNIST(train: 12, test: 5, compressed: false)
        let file = path("train-images-idx3-ubyte")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(file) && text.contains("truncated"), text)
        }
    }

    func testTruncatedGzipIsAnErrorNotACrash() throws {
        try writeMNIST(train: 12, test: 5, compressed: true)
        let file = path("train-images-idx3-ubyte.gz")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            XCTAssertTrue("\(error)".contains(file), "\(error)")
        }
    }

    func testMislabeledAndMismatchedFilesAreRejected() throws {
        try writeMNIST(train: 12, test: 5, compressed: false)
        var labels = (0..<12).map { UInt8($0 % 10) }
        labels[4] = 12
        try idx([12], labels).write(to: URL(fileURLWithPath: path("train-labels-idx1-ubyte")))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            XCTAssertTrue("\(error)".contains("label 12 at position 4"), "\(error)")
        }
        try idx([11], (0..<11).map { UInt8($0 % 10) }).write(to: URL(fileURLWithPath: path("train-labels-idx1-ubyte")))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            XCTAssertTrue("\(error)".contains("holds 11 labels but"), "\(error)")
        }
        try Data([1, 2, 3, 4, 5, 6, 7, 8]).write(to: URL(fileURLWithPath: path("train-labels-idx1-ubyte")))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            XCTAssertTrue("\(error)".contains("not an IDX file"), "\(error)")
        }
    }

    func testWrongShapeForTheModelAndEmptyFolderAreRejected() throws {
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .lenet300)) { error in
            XCTAssertTrue("\(error)".contains("holds neither"), "\(error)")
        }
        try writeMNIST(train: 12, test: 5, compressed: false)
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .vgglike)) { error in
            XCTAssertTrue("\(error)".contains("vgglike takes 3×32×32"), "\(error)")
        }
    }

    /// Writes CIFAR-10 batches of `records` records each; label of record r is r mod 10.
    private func writeCIFAR(records: Int) throws {
        for file in CIFAR10File.trainFiles + [CIFAR10File.testFile] {
            var bytes: [UInt8] = []
            for r in 0..<records {
                bytes.append(UInt8(r % 10))
                for i in 0..<3072 { bytes.append(UInt8((i / 1024) * 80 + (r + i) % 7)) }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path(file)))
        }
    }

    func testReadsGeneratedCIFARAndNormalizesPerChannel() throws {
        try writeCIFAR(records: 4)
        let split = try DataSource.load(directory: folder, model: .vgglike)
        XCTAssertEqual(split.train.count, 20)
        XCTAssertEqual(split.test.count, 4)
        XCTAssertEqual(split.train.labels[13], 1)  // sample 13 is record 1 of the fourth batch
        let images = split.train.images  // computed: once, not per pixel (that took 100 s)
        for channel in 0..<3 {
            var sum = 0.0, squares = 0.0, n = 0.0
            for sample in 0..<20 {
                for i in 0..<1024 {
                    let v = Double(images[sample * 3072 + channel * 1024 + i])
                    sum += v; squares += v * v; n += 1
                }
            }
            XCTAssertEqual(sum / n, 0, accuracy: 1e-4, "channel \(channel) mean")
            XCTAssertEqual(squares / n, 1, accuracy: 1e-3, "channel \(channel) variance")
        }
    }

    func testTruncatedAndMislabeledCIFARAreRejected() throws {
        try writeCIFAR(records: 3)
        let file = path("data_batch_3.bin")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try data.prefix(data.count - 1).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .vgglike)) { error in
            XCTAssertTrue("\(error)".contains("data_batch_3.bin") && "\(error)".contains("truncated"), "\(error)")
        }
        var bytes = [UInt8](data)
        bytes[CIFAR10File.recordSize] = 11
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try DataSource.load(directory: folder, model: .vgglike)) { error in
            XCTAssertTrue("\(error)".contains("record 1 has label 11"), "\(error)")
        }
    }

    func testLoadsTheRealFashionMNISTByDefault() throws {
        guard FileManager.default.fileExists(atPath: DataSource.defaultDirectory) else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        let split = try DataSource.load(directory: nil, model: .lenet300)
        XCTAssertEqual(split.train.count, 60_000)
        XCTAssertEqual(split.test.count, 10_000)
        XCTAssertEqual(Set(split.train.labels).count, 10)
        XCTAssertEqual(split.train.images.max(), 1)
        XCTAssertEqual(split.train.images.min(), 0)
    }
}
