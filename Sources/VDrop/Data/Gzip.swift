import CZlib
import Foundation

/// Decompresses gzip files held in memory (MNIST-style `.gz` files), never inflating more than
/// the reader asks for: a 4 MB bomb that expands to 4 GiB is refused before it is allocated.
public enum Gzip {
    /// What ``decompress(_:file:limit:)`` inflates at most when the caller knows no size:
    /// 1 GiB, above any data file vdrop reads (Fashion-MNIST's training images are 47 MB).
    public static let maximumInflatedBytes = 1 << 30

    /// The gzip magic bytes, 1f 8b.
    public static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The whole stream, or a sentence naming `file` when it is damaged or would inflate past `limit` bytes.
    public static func decompress(_ data: Data, file: String, limit: Int = maximumInflatedBytes) throws -> Data {
        let reader = try GzipReader(data, file: file)
        let output = try reader.read(limit)
        guard try !reader.hasMore() else {
            throw DatasetError(file: file, problem: "inflates to more than \(limit) bytes, more than vdrop reads from one file (a gzip bomb?). Decompress it yourself and check what it holds.")
        }
        return output
    }
}

/// A gzip stream inflated a bounded piece at a time: each ``read(_:)`` inflates only the bytes
/// it returns, so a reader that knows its size (an IDX header declares it) takes exactly that.
///
/// Owns its `z_stream` (zlib keeps a pointer back to it, so it must not move) and ends it in
/// `deinit`. The compressed bytes are only borrowed inside each call: zlib keeps no pointer to
/// its input or output between calls.
final class GzipReader {
    let file: String
    private let input: Data
    private let stream: UnsafeMutablePointer<z_stream>
    /// Compressed bytes zlib has taken so far.
    private var consumed = 0
    private var ended = false

    init(_ data: Data, file: String) throws {
        self.file = file
        input = data
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard vdrop_inflate_init_gzip(stream) == Z_OK else {
            stream.deallocate()
            throw DatasetError(file: file, problem: "cannot be decompressed: zlib could not start (out of memory?).")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// The next `count` inflated bytes; fewer only where the compressed stream ends.
    /// Throws a sentence when the data is corrupt or ends before the stream does (truncated).
    func read(_ count: Int) throws -> Data {
        precondition(count >= 0, "a read takes zero or more bytes")
        var output = Data()
        // Grow with what actually arrives, not with what a header promises.
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: min(chunk, max(count, 1)))
        while output.count < count, !ended {
            let wanted = min(buffer.count, count - output.count)
            let produced = try buffer.withUnsafeMutableBufferPointer { out in
                try inflateStep(into: out.baseAddress!, capacity: wanted)
            }
            output.append(buffer, count: produced)
        }
        return output
    }

    /// Whether the stream inflates to anything more; inflates at most one byte to tell.
    func hasMore() throws -> Bool {
        var byte: UInt8 = 0
        while !ended {
            if try inflateStep(into: &byte, capacity: 1) == 1 { return true }
        }
        return false
    }

    /// One call of `inflate` into at most `capacity` bytes at `destination`; returns how many it wrote.
    private func inflateStep(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let remaining = input.count - consumed
        let status: Int32 = input.withUnsafeBytes { (whole: UnsafeRawBufferPointer) in
            let bytes = whole.bindMemory(to: Bytef.self)
            // An empty Data has no base address; zlib then sees no input and reports Z_BUF_ERROR.
            stream.pointee.next_in = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0 + consumed) }
            stream.pointee.avail_in = uInt(clamping: remaining)
            stream.pointee.next_out = destination
            stream.pointee.avail_out = uInt(clamping: capacity)
            return inflate(stream, Z_NO_FLUSH)
        }
        let taken = remaining - Int(stream.pointee.avail_in)
        let produced = capacity - Int(stream.pointee.avail_out)
        consumed += taken
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch status {
        case Z_STREAM_END:
            ended = true
        case Z_OK, Z_BUF_ERROR:
            // With output space and input left zlib always moves; standing still means the
            // input ran out before the stream's end.
            if taken == 0, produced == 0 {
                throw DatasetError(file: file, problem: "cannot be decompressed: it ends before its compressed data does (truncated?).")
            }
        default:
            throw DatasetError(file: file, problem: "cannot be decompressed: its compressed data is corrupt (zlib status \(status)).")
        }
        return produced
    }
}
