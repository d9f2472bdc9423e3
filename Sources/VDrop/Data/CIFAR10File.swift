import Foundation

/// CIFAR-10's binary batches: records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green,
/// 1024 blue, each 32×32 row-major), 10,000 records per file.
public enum CIFAR10File {
    public static let recordSize = 1 + 3 * 32 * 32
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"

    /// The largest batch file vdrop reads: 2 GiB. CIFAR-10's batches are 30 MB each; a file
    /// beyond this is not one, and is refused before it is read into memory.
    public static let maximumFileBytes = 1 << 31

    /// Reads one batch file: its labels and raw pixel bytes.
    public static func read(_ path: String) throws -> (labels: [UInt8], pixels: [UInt8]) {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumFileBytes {
            throw DatasetError(file: path, problem: "holds \(size) bytes, more than the \(maximumFileBytes) vdrop reads from one CIFAR-10 batch (each of CIFAR-10's is 30 MB); is it the right file?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        return try read(data: data, name: path)
    }

    /// Parses one batch file's bytes; `name` is the file errors name.
    public static func read(data: Data, name: String) throws -> (labels: [UInt8], pixels: [UInt8]) {
        // A label is below 10, so a record never starts with gzip's 1f 8b.
        guard !Gzip.isCompressed(data) else {
            throw DatasetError(file: name, problem: "is gzip-compressed; vdrop reads CIFAR-10's binary batches as they come out of cifar-10-binary.tar.gz (tar xzf it, or gunzip this file).")
        }
        guard data.count <= maximumFileBytes else {
            throw DatasetError(file: name, problem: "holds \(data.count) bytes, more than the \(maximumFileBytes) vdrop reads from one CIFAR-10 batch (each of CIFAR-10's is 30 MB); is it the right file?")
        }
        guard !data.isEmpty, data.count % recordSize == 0 else {
            throw DatasetError(file: name, problem: "holds \(data.count) bytes, which is not a whole number of \(recordSize)-byte CIFAR-10 records (truncated?).")
        }
        let bytes = [UInt8](data)
        let count = bytes.count / recordSize, imageSize = recordSize - 1
        var labels = [UInt8](repeating: 0, count: count)
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        for record in 0..<count {
            let label = bytes[record * recordSize]
            guard label < 10 else {
                throw DatasetError(file: name, problem: "record \(record) has label \(label), outside 0…9 (not a CIFAR-10 batch?).")
            }
            labels[record] = label
            pixels.replaceSubrange((record * imageSize)..<((record + 1) * imageSize),
                                   with: bytes[(record * recordSize + 1)..<((record + 1) * recordSize)])
        }
        return (labels, pixels)
    }

    /// The five training batches and the test batch of `directory`, normalized per channel with
    /// the training set's mean and standard deviation.
    public static func split(directory: String) throws -> DataSplit {
        var trainLabels: [UInt8] = [], trainPixels: [UInt8] = []
        for file in trainFiles {
            let batch = try read((directory as NSString).appendingPathComponent(file))
            trainLabels += batch.labels
            trainPixels += batch.pixels
        }
        let test = try read((directory as NSString).appendingPathComponent(testFile))
        // (p/255 − mean)/std = p·scale + shift.
        let (mean, std) = channelStatistics(trainPixels)
        let scale = (0..<3).map { 1 / (255 * std[$0]) }, shift = (0..<3).map { -mean[$0] / std[$0] }
        return DataSplit(train: Dataset(name: "cifar-10 train", sampleShape: [3, 32, 32], pixels: trainPixels, scale: scale, shift: shift,
                                        labels: trainLabels, classes: 10),
                         test: Dataset(name: "cifar-10 test", sampleShape: [3, 32, 32], pixels: test.pixels, scale: scale, shift: shift,
                                       labels: test.labels, classes: 10),
                         source: directory)
    }

    /// Per-channel mean and standard deviation of pixels scaled to [0, 1].
    static func channelStatistics(_ pixels: [UInt8]) -> (mean: [Float], std: [Float]) {
        var sum = [Double](repeating: 0, count: 3), squares = [Double](repeating: 0, count: 3)
        for i in 0..<pixels.count {
            let channel = (i / 1024) % 3
            let value = Double(pixels[i]) / 255
            sum[channel] += value
            squares[channel] += value * value
        }
        let n = Double(max(pixels.count / 3, 1))
        let mean = sum.map { $0 / n }
        let std = (0..<3).map { max((squares[$0] / n - mean[$0] * mean[$0]).squareRoot(), 1e-6) }
        return (mean.map(Float.init), std.map(Float.init))
    }
}
