import Foundation
import VDrop
import VDropTools

/// `vdrop bench --inference`: times a network's paths on the device and on the CPU backend,
/// and prints (and writes as JSON) the timings with the network's FLOP, byte and file size reductions.
struct InferenceBenchReport {
    let weights: String
    let trim: TrimRule?
    let batches: [Int]
    let samples: Int
    let device: DeviceOptions
    let json: String?

    /// The structurally shrunk network (``InferenceModel/compacted()``) timed beside the trimmed
    /// one on the dense path: dead neurons, channels and unread inputs removed.
    static func compactNetwork(of model: InferenceModel) throws -> InferenceModel? { model.compacted() }

    func run() throws {
        let model = try InferenceModel.load(contentsOf: weights, rule: trim)
        let compact = try Self.compactNetwork(of: model)
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: weights)[.size] as? NSNumber)?.intValue ?? 0
        let reductions = InferenceReductions(model: model)
        let cpu = CPUBackend()
        let chosen = try device.makeBackend()
        let deviceBackend: (any Backend)? = chosen is CPUBackend ? nil : chosen
        let counts = model.weightCounts
        print("vdrop bench --inference: \(weights) (\(model.provenance.model), trim \(model.provenance.trim), \(counts.nonZero) of \(counts.total) weights non-zero, \(String(format: "%.1f", model.provenance.compression))× compression)")
        print("on \(deviceBackend?.name ?? "no device (the CPU backend only)") and the CPU backend (\(cpu.threadCount) threads), batches \(batches.map(String.init).joined(separator: ",")), \(samples) samples each")
        print(String(format: "multiply-adds per image: %d dense, %d non-zero (%.1f× fewer)", reductions.denseMultiplyAdds,
                     reductions.sparseMultiplyAdds, reductions.flopReduction))
        print(String(format: "weight bytes: %d dense fp32, %d CSR int64 (%.1f× smaller), %d CSR int32; file %d bytes", reductions.denseWeightBytes,
                     reductions.csrWeightBytesInt64, reductions.byteReduction, reductions.csrWeightBytesInt32, fileBytes))
        if let compact {
            print("compact network: \(compact.parameterCount) parameters, \(compact.multiplyAdds(nonZeroOnly: false)) multiply-adds per image")
        }
        print("")
        print(pad("backend", 44) + pad("network", 9) + pad("path", 8) + pad("batch", 7) + pad("images/s", 12) + pad("ms/batch", 11) + "vs dense")
        var measurements: [InferenceMeasurement] = []
        for (role, backend) in [("device", deviceBackend), ("cpu", cpu as any Backend)] {
            guard let backend else { continue }
            let measured = try InferenceBenchmark.measure(model: model, compact: compact, backend: backend, backendRole: role,
                                                          batches: batches, samples: samples)
            for m in measured {
                let dense = measured.first { $0.batch == m.batch && $0.network == "trimmed" && $0.path == "dense" }
                print(pad(m.backendName, 44) + pad(m.network, 9) + pad(m.path, 8) + pad(String(m.batch), 7)
                      + pad(String(format: "%.0f", m.imagesPerSecond), 12) + pad(String(format: "%.4f", m.msPerBatch), 11)
                      + (dense.map { String(format: "%.2fx", m.imagesPerSecond / $0.imagesPerSecond) } ?? "-"))
            }
            fflush(stdout)
            measurements += measured
        }
        if let json {
            let report = InferenceBenchmarkReport(date: ISO8601DateFormatter().string(from: Date()), weightsFile: weights, fileBytes: fileBytes,
                                                  model: model.provenance.model, trim: model.provenance.trim,
                                                  compression: model.provenance.compression, cpuThreads: cpu.threadCount,
                                                  reductions: reductions, compactParameterCount: compact?.parameterCount,
                                                  compactMultiplyAdds: compact?.multiplyAdds(nonZeroOnly: false), measurements: measurements)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(try encoder.encode(report), to: json)
            print("wrote \(json)")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
