import CZlib
import Foundation

/// Decompresses a whole gzip file held in memory (MNIST-style `.gz` files).
enum Gzip {
    /// The gzip magic bytes, 1f 8b.
    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    static func decompress(_ data: Data, file: String) throws -> Data {
        var stream = z_stream()
        guard vdrop_inflate_init_gzip(&stream) == Z_OK else {
            throw DatasetError(file: file, problem: "zlib could not start decompressing.")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let reason = status == Z_BUF_ERROR ? "it ends before its compressed data does (truncated?)" : "its compressed data is corrupt (zlib status \(status))"
                        throw DatasetError(file: file, problem: "cannot decompress: \(reason).")
                    }
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else {
            throw DatasetError(file: file, problem: "cannot decompress: the file ends before its compressed data does (truncated?).")
        }
        return output
    }
}
