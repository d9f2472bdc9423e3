import Foundation
import VDrop

/// A safetensors file, read as tensors, as a vdrop checkpoint (whose metadata is checked) and as
/// the inference model `infer` and `export` build from a checkpoint.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let decoded = try? SafeTensors.decode(data, file: "fuzz") {
        for entry in decoded.entries.values where entry.count != entry.shape.reduce(1, *) {
            fatalError("tensor \(entry.name) holds \(entry.count) values for the shape \(entry.shape)")
        }
    }
    if let checkpoint = try? Checkpoint(data: data, file: "fuzz") {
        _ = try? InferenceModel(checkpoint: checkpoint, rule: .logAlpha(threshold: 3), file: "fuzz")
    }
    return 0
}
