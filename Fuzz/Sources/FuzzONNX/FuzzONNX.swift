import Foundation
import VDrop

/// An ONNX file, read as a network. What reads must be sound: its stages' shapes chain (the
/// reference forward runs on it when it is small), and writing it out again reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let model = try? InferenceModel(onnx: data, file: "fuzz") else { return 0 }
    _ = model.parameterCount
    if model.multiplyAdds(nonZeroOnly: false) <= 1 << 20, model.sampleShape.reduce(1, *) <= 1 << 16 {
        let logits = model.referenceLogits(samples: [Float](repeating: 0.5, count: model.sampleShape.reduce(1, *)), count: 1)
        guard logits.count == model.classes else { fatalError("\(logits.count) logits for \(model.classes) classes") }
    }
    // Re-encoding may refuse a graph (two stages of one name); when it writes, the file must read back equal.
    if let again = try? model.onnxModel(producerVersion: "fuzz") {
        do {
            let back = try InferenceModel(onnx: again, file: "fuzz again")
            guard back == model else { fatalError("a decoded model re-encoded reads back different") }
        } catch {
            fatalError("a decoded model re-encoded does not read back: \(error)")
        }
    }
    return 0
}
