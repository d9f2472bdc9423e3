import COpenCL
import Foundation

/// The shape of every `clGet…Info` call once its object and parameter are bound:
/// `(size, destination, sizeReturned) -> status`.
public typealias CLInfoQuery = (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int

/// Reads a string info value through OpenCL's size-then-data protocol.
public func clInfoString(_ call: String, _ query: CLInfoQuery) throws -> String {
    var size = 0
    try clCheck(query(0, nil, &size), call)
    var bytes = [UInt8](repeating: 0, count: max(size, 1))
    try bytes.withUnsafeMutableBytes { raw in
        try clCheck(query(raw.count, raw.baseAddress, nil), call)
    }
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: bytes[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Reads a fixed-size info value (`cl_uint`, `cl_ulong`, `size_t`, ...).
public func clInfoValue<T>(_ call: String, _ initial: T, _ query: CLInfoQuery) throws -> T {
    var value = initial
    try withUnsafeMutableBytes(of: &value) { raw in
        try clCheck(query(raw.count, raw.baseAddress, nil), call)
    }
    return value
}
