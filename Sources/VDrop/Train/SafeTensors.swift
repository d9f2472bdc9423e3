import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range (plus a `__metadata__` map of strings), then
/// the raw little-endian data. numpy (`safetensors.numpy.load_file`) and PyTorch read it.
public enum SafeTensors {
    /// The element types vdrop writes: F32 for every parameter, I64 for indices (a CSR
    /// matrix's row starts and columns, as PyTorch stores them; a compact network's inputs).
    public enum DType: String, Sendable, Comparable {
        case f32 = "F32"
        case i64 = "I64"

        public var byteCount: Int { self == .f32 ? 4 : 8 }
        public static func < (a: DType, b: DType) -> Bool { a.rawValue < b.rawValue }
    }

    /// One tensor: F32 values in `values`, or I64 values in `integers` (the other stays empty).
    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        public var dtype: DType
        public var values: [Float]
        public var integers: [Int64]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.dtype = .f32
            self.values = values
            self.integers = []
        }

        public init(name: String, shape: [Int], integers: [Int64]) {
            self.name = name
            self.shape = shape
            self.dtype = .i64
            self.values = []
            self.integers = integers
        }

        /// The number of elements, whatever their type.
        public var count: Int { dtype == .f32 ? values.count : integers.count }
    }

    /// Encodes F32 and I64 tensors and string metadata.
    public static func encode(_ entries: [Entry], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for entry in entries {
            precondition(entry.count == entry.shape.reduce(1, *), "\(entry.name): values do not fill its shape")
            let size = entry.count * entry.dtype.byteCount
            header[entry.name] = ["dtype": entry.dtype.rawValue, "shape": entry.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 so the data is aligned.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in entries {
            // x86-64 and arm64 are little-endian, as the format is.
            switch entry.dtype {
            case .f32: entry.values.withUnsafeBytes { data.append(contentsOf: $0) }
            case .i64: entry.integers.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// The longest header read: the format's own limit (the reference reader refuses more).
    public static let maximumHeaderBytes = 100_000_000

    /// Decodes a file's bytes; throws ``ModelFileError`` naming `file` and what is wrong.
    /// `dtypes`: the element types the caller can use (a checkpoint holds F32 only, so that is
    /// the default and any other type is refused here); `what` names the kind of file in errors.
    ///
    /// Every size is checked before it is used, with arithmetic that cannot overflow: the
    /// tensors' byte ranges must lie in the file, agree with their shapes, and tile the data
    /// after the header exactly (sorted, no gap, no overlap), as the reference reader requires.
    public static func decode(_ data: Data, file: String, dtypes: Set<DType> = [.f32], what: String = "checkpoint")
        throws -> (entries: [String: Entry], metadata: [String: String]) {
        func fail(_ problem: String) -> ModelFileError { ModelFileError(file: file, problem: "is not a valid \(what): \(problem)") }
        guard data.count >= 8 else { throw fail("it is shorter than a safetensors header (\(data.count) bytes).") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("its header claims \(headerLength) bytes but the file has \(data.count - 8) after the length (truncated?).")
        }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw fail("its header claims \(headerLength) bytes, more than the format's limit of \(maximumHeaderBytes).")
        }
        let bodyStart = data.startIndex + 8 + Int(headerLength)
        let header = try Header(data[(data.startIndex + 8)..<bodyStart], fail: fail)
        let bodyCount = data.endIndex - bodyStart
        var entries: [String: Entry] = [:]
        var end = 0
        // Sorted by range; zero-size tensors (begin = end) sort before the tensor starting there.
        for tensor in header.tensors.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            guard let dtype = DType(rawValue: tensor.dtype), dtypes.contains(dtype) else {
                let accepted = dtypes.sorted().map(\.rawValue).joined(separator: " and ")
                throw fail("tensor \"\(tensor.name)\" is \(tensor.dtype); a \(what) holds \(accepted) tensors only.")
            }
            if let negative = tensor.shape.first(where: { $0 < 0 }) {
                throw fail("tensor \"\(tensor.name)\" has the negative dimension \(negative) in its shape \(tensor.shape).")
            }
            let count = try elementCount(tensor, bytesEach: dtype.byteCount, fail: fail)
            guard tensor.begin == end else {
                throw fail("tensor \"\(tensor.name)\" starts at byte \(tensor.begin) of the data, where \(end) was expected (its range overlaps another tensor's or leaves a gap).")
            }
            guard tensor.end >= tensor.begin, tensor.end - tensor.begin == count * dtype.byteCount else {
                throw fail("tensor \"\(tensor.name)\" has data_offsets [\(tensor.begin), \(tensor.end)], which disagree with its shape \(tensor.shape) of \(dtype.rawValue) values.")
            }
            guard tensor.end <= bodyCount else {
                throw fail("tensor \"\(tensor.name)\" ends at byte \(tensor.end) of the data, but the file holds \(bodyCount) (truncated?).")
            }
            let bytes = (bodyStart + tensor.begin)..<(bodyStart + tensor.end)
            switch dtype {
            case .f32: entries[tensor.name] = Entry(name: tensor.name, shape: tensor.shape, values: copy(data, bytes, count: count))
            case .i64: entries[tensor.name] = Entry(name: tensor.name, shape: tensor.shape, integers: copy(data, bytes, count: count))
            }
            end = tensor.end
        }
        guard end == bodyCount else {
            throw fail("its tensors cover \(end) bytes of data but the file holds \(bodyCount) after the header (trailing bytes).")
        }
        return (entries, header.metadata)
    }

    /// `count` little-endian numbers from `bytes` of `data` (whose size the caller checked).
    private static func copy<Element: Numeric>(_ data: Data, _ bytes: Range<Int>, count: Int) -> [Element] {
        var values = [Element](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            data.copyBytes(to: destination.bindMemory(to: UInt8.self), from: bytes)
        }
        return values
    }

    /// The values of a tensor's shape, refused when their bytes would pass Int.
    private static func elementCount(_ tensor: Header.Tensor, bytesEach: Int, fail: (String) -> ModelFileError) throws -> Int {
        var count = 1
        for dimension in tensor.shape + [bytesEach] {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("tensor \"\(tensor.name)\" has the shape \(tensor.shape), whose size overflows.") }
            count = product
        }
        return count / bytesEach
    }
}

/// Writes a file so that it is either wholly there or not at all: a temporary file
/// beside it, flushed to disk, then renamed over the destination.
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
        throw ModelFileError(file: path, problem: "cannot be written (is the folder writable?).")
    }
    do {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw ModelFileError(file: path, problem: "cannot be written: \(error.localizedDescription)")
    }
    guard rename(temporary, path) == 0 else {
        try? FileManager.default.removeItem(atPath: temporary)
        throw ModelFileError(file: path, problem: "cannot replace the previous file (rename failed, errno \(errno)).")
    }
}
