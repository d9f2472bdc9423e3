import Foundation

/// The IDX format of MNIST and Fashion-MNIST: a magic number (0, 0, type 0x08 = unsigned
/// byte, dimension count), big-endian 32-bit dimensions, then the bytes. Raw or gzipped.
public enum IDXFile {
    /// Reads an IDX file of unsigned bytes: its dimensions and its values.
    public static func read(_ path: String) throws -> (dimensions: [Int], values: [UInt8]) {
        guard let raw = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        let data = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, file: path) : raw
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws -> (dimensions: [Int], values: [UInt8]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw DatasetError(file: file, problem: "is too short to be an IDX file (\(bytes.count) bytes).") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError(file: file, problem: "is not an IDX file: its magic number does not start with two zero bytes.")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(file: file, problem: "holds IDX type 0x\(String(bytes[2], radix: 16)); vdrop reads unsigned bytes (0x08) only.")
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4 else { throw DatasetError(file: file, problem: "declares \(rank) dimensions; expected 1 to 4.") }
        guard bytes.count >= 4 + 4 * rank else { throw DatasetError(file: file, problem: "ends inside its header (truncated).") }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let at = 4 + 4 * d
            dimensions.append(Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]))
        }
        let expected = dimensions.reduce(1, *)
        let have = bytes.count - 4 - 4 * rank
        guard have == expected else {
            throw DatasetError(file: file, problem: "its header promises \(dimensions.map(String.init).joined(separator: "×")) = \(expected) values "
                               + "but it holds \(have)\(have < expected ? " (truncated)" : " (trailing bytes)").")
        }
        return (dimensions, Array(bytes[(4 + 4 * rank)...]))
    }

    /// Reads an images file and its labels file as one data set, checking that they agree.
    public static func dataset(images imagePath: String, labels labelPath: String, name: String, classes: Int = 10) throws -> Dataset {
        let images = try read(imagePath)
        let labels = try read(labelPath)
        guard images.dimensions.count == 3 else {
            throw DatasetError(file: imagePath, problem: "is not an images file: it has \(images.dimensions.count) dimensions, expected 3 (count, rows, columns).")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError(file: labelPath, problem: "is not a labels file: it has \(labels.dimensions.count) dimensions, expected 1.")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError(file: labelPath, problem: "holds \(labels.dimensions[0]) labels but \(imagePath) holds \(images.dimensions[0]) images.")
        }
        if let bad = labels.values.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError(file: labelPath, problem: "label \(labels.values[bad]) at position \(bad) is outside 0…\(classes - 1).")
        }
        return Dataset(name: name, sampleShape: [1, images.dimensions[1], images.dimensions[2]], pixels: images.values,
                       scale: [1.0 / 255.0], shift: [0], labels: labels.values, classes: classes)
    }
}
