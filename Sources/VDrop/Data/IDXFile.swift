import Foundation

/// The IDX format of MNIST and Fashion-MNIST: a magic number (0, 0, type 0x08 = unsigned
/// byte, dimension count), big-endian 32-bit dimensions, then the bytes. Raw or gzipped.
public enum IDXFile {
    /// The most values one file may declare: 4 GiB of bytes. EMNIST's largest file holds 0.55 GB;
    /// a header asking for more is damaged or hostile, and is refused before anything is allocated.
    public static let maximumValues = 1 << 32

    /// Reads an IDX file of unsigned bytes: its dimensions and its values.
    public static func read(_ path: String) throws -> (dimensions: [Int], values: [UInt8]) {
        guard let raw = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, problem: "cannot be read (missing, or no permission).")
        }
        return try read(data: raw, name: path)
    }

    /// Parses an IDX file's bytes, raw or gzipped; `name` is the file errors name.
    ///
    /// A gzipped file is inflated header first, and then only as many bytes as that header
    /// declares: a stream that would inflate past them is refused, whatever it expands to.
    public static func read(data: Data, name: String) throws -> (dimensions: [Int], values: [UInt8]) {
        guard Gzip.isCompressed(data) else {
            let magic = data.prefix(4)
            let rank = try rank(magic: magic, file: name)
            let header = data.prefix(4 + 4 * rank)
            let dimensions = try dimensions(header: header, rank: rank, file: name)
            let expected = try valueCount(dimensions, file: name)
            let have = data.count - header.count
            guard have == expected else { throw mismatch(dimensions, expected: expected, have: have, file: name) }
            return (dimensions, [UInt8](data.dropFirst(header.count)))
        }
        let reader = try GzipReader(data, file: name)
        let magic = try reader.read(4)
        let rank = try rank(magic: magic, file: name)
        let header = magic + (try reader.read(4 * rank))
        let dimensions = try dimensions(header: header, rank: rank, file: name)
        let expected = try valueCount(dimensions, file: name)
        let values = try reader.read(expected)
        guard values.count == expected else { throw mismatch(dimensions, expected: expected, have: values.count, file: name) }
        guard try !reader.hasMore() else {
            throw DatasetError(file: name, problem: "inflates past the \(header.count + expected) bytes its IDX header declares (trailing bytes, or a gzip bomb); vdrop refuses it. Decompress it yourself and check what it holds.")
        }
        return (dimensions, [UInt8](values))
    }

    /// The dimension count the first four bytes declare, after checking they are an IDX magic number.
    private static func rank(magic: Data, file: String) throws -> Int {
        let bytes = [UInt8](magic)
        guard bytes.count == 4 else { throw DatasetError(file: file, problem: "is too short to be an IDX file (\(bytes.count) bytes).") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError(file: file, problem: "is not an IDX file: its magic number does not start with two zero bytes.")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(file: file, problem: "holds IDX type 0x\(String(bytes[2], radix: 16)); vdrop reads unsigned bytes (0x08) only.")
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4 else { throw DatasetError(file: file, problem: "declares \(rank) dimensions; expected 1 to 4.") }
        return rank
    }

    /// The big-endian 32-bit dimensions after the magic number.
    private static func dimensions(header: Data, rank: Int, file: String) throws -> [Int] {
        let bytes = [UInt8](header)
        guard bytes.count == 4 + 4 * rank else { throw DatasetError(file: file, problem: "ends inside its header (truncated).") }
        return (0..<rank).map { d in
            let at = 4 + 4 * d
            return Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
    }

    /// The product of the dimensions, refused when it passes ``maximumValues`` (or Int itself:
    /// four dimensions of 0xFFFFFFFF multiply to 2¹²⁸).
    private static func valueCount(_ dimensions: [Int], file: String) throws -> Int {
        var count = 1
        for dimension in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maximumValues else {
                throw DatasetError(file: file, problem: "its header declares \(shape(dimensions)) values, more than the \(maximumValues) vdrop reads from one file (a damaged header?).")
            }
            count = product
        }
        return count
    }

    private static func mismatch(_ dimensions: [Int], expected: Int, have: Int, file: String) -> DatasetError {
        DatasetError(file: file, problem: "its header promises \(shape(dimensions)) = \(expected) values "
                     + "but it holds \(have)\(have < expected ? " (truncated)" : " (trailing bytes)").")
    }

    private static func shape(_ dimensions: [Int]) -> String { dimensions.map(String.init).joined(separator: "×") }

    /// Reads an images file and its labels file as one data set, checking that they agree.
    public static func dataset(images imagePath: String, labels labelPath: String, name: String, classes: Int = 10) throws -> Dataset {
        try dataset(images: read(imagePath), labels: read(labelPath), imagePath: imagePath, labelPath: labelPath, name: name, classes: classes)
    }

    /// An images file's and a labels file's contents as one data set; the paths name them in errors.
    public static func dataset(images: (dimensions: [Int], values: [UInt8]), labels: (dimensions: [Int], values: [UInt8]),
                               imagePath: String, labelPath: String, name: String, classes: Int = 10) throws -> Dataset {
        guard images.dimensions.count == 3 else {
            throw DatasetError(file: imagePath, problem: "is not an images file: it has \(images.dimensions.count) dimensions, expected 3 (count, rows, columns).")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError(file: labelPath, problem: "is not a labels file: it has \(labels.dimensions.count) dimensions, expected 1.")
        }
        guard images.dimensions[0] >= 1 else {
            throw DatasetError(file: imagePath, problem: "holds no images; a data set needs at least one.")
        }
        guard images.dimensions[1] >= 1, images.dimensions[2] >= 1 else {
            throw DatasetError(file: imagePath, problem: "holds images of \(images.dimensions[1])×\(images.dimensions[2]) pixels; an image needs at least one.")
        }
        // read(data:name:) gives values that fill their dimensions; a caller's own may not.
        guard let expected = try? valueCount(images.dimensions, file: imagePath), images.values.count == expected else {
            throw DatasetError(file: imagePath, problem: "holds \(images.values.count) values for its \(shape(images.dimensions)) dimensions.")
        }
        guard labels.values.count == labels.dimensions[0] else {
            throw DatasetError(file: labelPath, problem: "holds \(labels.values.count) values for its \(labels.dimensions[0]) labels.")
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
