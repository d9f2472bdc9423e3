import Foundation
import VDrop

/// A gzip stream, inflated up to 64 KiB: a 4 KB input can expand to 4 MB, and the limit must hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    let limit = 1 << 16
    if let output = try? Gzip.decompress(data, file: "fuzz", limit: limit), output.count > limit {
        fatalError("inflated \(output.count) bytes past the limit of \(limit)")
    }
    return 0
}
