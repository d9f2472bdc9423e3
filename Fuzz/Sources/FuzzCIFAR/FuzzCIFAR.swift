import Foundation
import VDrop

/// A CIFAR-10 binary batch.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCIFAR(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? CIFAR10File.read(data: data, name: "fuzz")
    return 0
}
