import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range (plus a `__metadata__` map of strings), then
/// the raw little-endian data. numpy (`safetensors.numpy.load_file`) and PyTorch read it.
public enum SafeTensors {
    public struct Entry: Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Encodes float32 tensors and string metadata.
    public static func encode(_ entries: [Entry], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for entry in entries {
            precondition(entry.values.count == entry.shape.reduce(1, *), "\(entry.name): values do not fill its shape")
            let size = entry.values.count * 4
            header[entry.name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 so the data is aligned.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in entries {
            entry.values.withUnsafeBytes { data.append(contentsOf: $0) }  // x86-64 and arm64 are little-endian
        }
        return data
    }

    /// Decodes a file's bytes; throws ``DatasetError`` naming `file` and what is wrong.
    public static func decode(_ data: Data, file: String) throws -> (entries: [String: Entry], metadata: [String: String]) {
        func fail(_ problem: String) -> DatasetError { DatasetError(file: file, problem: "is not a valid checkpoint: \(problem)") }
        guard data.count >= 8 else { throw fail("it is shorter than a safetensors header (\(data.count) bytes).") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw fail("its header claims \(headerLength) bytes but the file has \(data.count - 8) after the length (truncated?).") }
        let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("its header is not a JSON object.")
        }
        let body = data.subdata(in: (data.startIndex + 8 + Int(headerLength))..<data.endIndex)
        var metadata: [String: String] = [:]
        if let meta = header["__metadata__"] as? [String: String] { metadata = meta }
        var entries: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor \"\(name)\" has a malformed header entry.")
            }
            guard dtype == "F32" else { throw fail("tensor \"\(name)\" is \(dtype); vdrop stores F32 only.") }
            let count = shape.reduce(1, *)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] - offsets[0] == count * 4, offsets[1] <= body.count else {
                throw fail("tensor \"\(name)\" points outside the file or disagrees with its shape (truncated?).")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { destination in
                body.copyBytes(to: destination.bindMemory(to: UInt8.self), from: (body.startIndex + offsets[0])..<(body.startIndex + offsets[1]))
            }
            entries[name] = Entry(name: name, shape: shape, values: values)
        }
        return (entries, metadata)
    }
}

/// Writes a file so that it is either wholly there or not at all: a temporary file
/// beside it, flushed to disk, then renamed over the destination.
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
        throw DatasetError(file: path, problem: "cannot be written (is the folder writable?).")
    }
    do {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(atPath: temporary)
        throw DatasetError(file: path, problem: "cannot be written: \(error.localizedDescription)")
    }
    guard rename(temporary, path) == 0 else {
        try? FileManager.default.removeItem(atPath: temporary)
        throw DatasetError(file: path, problem: "cannot replace the previous file (rename failed, errno \(errno)).")
    }
}
