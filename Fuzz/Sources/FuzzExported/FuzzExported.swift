import Foundation
import VDrop

/// A file `vdrop export` might have written (csr or compact), read as a network. What the
/// reader accepts must be a network its writer writes back to the same thing: read, written
/// as csr, read again, equal; and its compaction written and read back equal to the compaction.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExported(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let model = try? InferenceModel(exportedData: data, file: "fuzz") else { return 0 }
    _ = (model.stageOutputShapes, model.classes, model.parameterCount, model.multiplyAdds(nonZeroOnly: true))
    guard model.weightCounts.total <= 1 << 16 else { return 0 }  // the checks below stay fast
    do {
        let again = try InferenceModel(exportedData: try model.safeTensorsData(format: .csr), file: "fuzz again")
        guard again == model else { fatalError("a network read from a file and written as csr reads back different") }
        let compact = model.compacted()
        // Folding a huge constant into a bias can overflow Float; such a network has no file.
        guard biases(of: compact).allSatisfy({ $0.isFinite }) else { return 0 }
        let read = try InferenceModel(exportedData: try model.safeTensorsData(format: .compact), file: "fuzz compact")
        guard read == compact else { fatalError("a compact network reads back different") }
        guard compact.compacted() == compact else { fatalError("compacting a compact network changed it") }
    } catch {
        fatalError("a network the reader accepted was refused once written again: \(error)")
    }
    return 0
}

private func biases(of model: InferenceModel) -> [Float] {
    model.stages.flatMap { stage -> [Float] in
        switch stage {
        case .dense(let d): return d.bias
        case .conv(let c): return c.bias
        default: return []
        }
    }
}
