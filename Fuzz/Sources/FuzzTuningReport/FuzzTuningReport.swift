import Foundation
import VDrop

/// A `vdrop tune` report; what decodes is used as the OpenCL backend would use it: its routes
/// looked up, each tiled route's launch planned.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTuningReport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let report = try? GemmTuningReport.decode(data, file: "fuzz") else { return 0 }
    _ = report.speedup
    for (shape, route) in report.routes {
        _ = "\(shape) \(route)"
        guard case .tiled(let configuration, let slices) = route else { continue }
        _ = configuration.isValid(maxWorkGroupSize: 1024, localMemory: 48 << 10)
        _ = configuration.tiles(m: shape.m, n: shape.n)
        _ = SplitKPlan(k: shape.k, wanted: slices, kStep: configuration.tileK)
    }
    return 0
}
