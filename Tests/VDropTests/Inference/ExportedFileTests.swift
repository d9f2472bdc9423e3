import Foundation
@testable import VDrop
import XCTest

/// The csr and compact files: written and read back to the same network, told apart from
/// checkpoints by `InferenceModel.load`, and every hostile variant a sentence, never a trap.
final class ExportedFileTests: TemporaryFolderTestCase {
    /// conv → BatchNorm → ReLU → pool → dense → ReLU → dense, with zeros to store sparsely.
    static let network: InferenceModel = {
        let bn = InferenceModel.BatchNorm(name: "bn1", gamma: [1.2, 0.9, 1], beta: [0.1, -0.1, 0], mean: [0.3, 0.2, 0.1],
                                          variance: [0.5, 1.5, 1], epsilon: 1e-5)
        return InferenceModel(sampleShape: [2, 6, 6], stages: [
            CompactionTests.conv("conv1", 2, 3, padding: 1, seed: 21) { w, _ in for i in stride(from: 0, to: w.count, by: 3) { w[i] = 0 } },
            .batchNorm(bn), .relu, .maxPool,
            CompactionTests.dense("dense1", 27, 5, seed: 22) { w, _ in for i in stride(from: 1, to: w.count, by: 2) { w[i] = 0 } },
            .relu,
            CompactionTests.dense("dense2", 5, 3, seed: 23),
        ], provenance: .init(model: "test", trim: "mu:0.01", compression: 3.5, testErrorPercent: 12.5))
    }()

    func testBothFormatsReadBackToTheNetworkTheyWrote() throws {
        let (lenet300, _) = try CompactionTests.trimmedCheckpoint(.lenet300)
        for model in [Self.network, lenet300] {
            let csr = try InferenceModel(exportedData: try model.safeTensorsData(format: .csr), file: "x.csr")
            XCTAssertEqual(csr, model, "csr of \(model.provenance.model)")
            let compact = try InferenceModel(exportedData: try model.safeTensorsData(format: .compact), file: "x.compact")
            XCTAssertEqual(compact, model.compacted(), "compact of \(model.provenance.model)")
        }
        // With the top row of pixels read by no weight, the compact LeNet-300 reads a selection
        // of the pixels, and the file keeps it.
        var blind = lenet300
        guard case .dense(var first) = blind.stages[0] else { return XCTFail("LeNet-300 starts with a dense layer") }
        for o in 0..<first.outputs { for i in 0..<28 { first.weight[o * first.inputs + i] = 0 } }
        blind.stages[0] = .dense(first)
        let compact = try InferenceModel(exportedData: try blind.safeTensorsData(format: .compact), file: "x")
        XCTAssertEqual(compact, blind.compacted())
        XCTAssertEqual(compact.inputSelection?.first, 28)
        // The triplet is PyTorch's: I64 row starts and columns, F32 values, and the shape in the metadata.
        let (entries, metadata) = try SafeTensors.decode(try Self.network.safeTensorsData(format: .csr), file: "x", dtypes: [.f32, .i64])
        XCTAssertEqual(entries["dense1.crow_indices"]?.dtype, .i64)
        XCTAssertEqual(entries["dense1.crow_indices"]?.integers.count, 6)
        XCTAssertEqual(entries["conv1.values"]?.count, 36, "54 − 18 zeros of conv1, stored as rows [3, 18]")
        XCTAssertEqual(metadata["vdrop.format"], "csr")
        XCTAssertEqual(metadata["vdrop.test_error_percent"], "12.5")
        XCTAssertTrue(metadata["vdrop.architecture"]?.contains("\"shape\":[3,2,3,3]") ?? false, metadata["vdrop.architecture"] ?? "")
    }

    func testLoadTellsExportedFilesFromCheckpointsAndRefusesATrimForThem() throws {
        let (trimmed, checkpoint) = try CompactionTests.trimmedCheckpoint(.lenet300)
        let checkpointPath = folder + "/checkpoint.safetensors", csrPath = folder + "/net.csr.safetensors"
        try checkpoint.write(to: checkpointPath)
        try writeAtomically(try trimmed.safeTensorsData(format: .csr), to: csrPath)
        let rule = try TrimRule(parsing: trimmed.provenance.trim)
        XCTAssertEqual(try InferenceModel.load(contentsOf: checkpointPath, rule: rule), trimmed)
        XCTAssertEqual(try InferenceModel.load(contentsOf: csrPath), trimmed)
        XCTAssertThrowsError(try InferenceModel.load(contentsOf: csrPath, rule: .mu(threshold: 0.05))) { error in
            XCTAssertTrue("\(error)".contains("already trimmed by \(trimmed.provenance.trim)"), "\(error)")
        }
        // A checkpoint reader still takes F32 only.
        XCTAssertThrowsError(try Checkpoint(data: try trimmed.safeTensorsData(format: .csr), file: "net.csr")) { error in
            XCTAssertTrue("\(error)".contains("is I64; a checkpoint holds F32 tensors only"), "\(error)")
        }
    }

    /// Files with one thing wrong, each refused with a sentence naming what.
    func testHostileExportedFilesAreSentences() throws {
        let good = try SafeTensors.decode(try Self.network.safeTensorsData(format: .csr), file: "x", dtypes: [.f32, .i64])
        func refused(_ phrase: String, edit: (inout [String: SafeTensors.Entry], inout [String: String]) -> Void, line: UInt = #line) throws {
            var (entries, metadata) = good
            edit(&entries, &metadata)
            let data = try SafeTensors.encode(entries.values.sorted { $0.name < $1.name }, metadata: metadata)
            XCTAssertThrowsError(try InferenceModel(exportedData: data, file: "hostile.safetensors"), phrase, line: line) { error in
                XCTAssertTrue(error is ModelFileError && "\(error)".contains(phrase), "\(phrase): \(error)", line: line)
            }
        }
        func architecture(_ edit: @escaping (inout String) -> Void) -> (inout [String: SafeTensors.Entry], inout [String: String]) -> Void {
            { _, metadata in edit(&metadata["vdrop.architecture", default: ""]) }
        }
        try refused("an exported network is csr or compact") { _, m in m["vdrop.format"] = "coo" }
        try refused("lacks the vdrop.architecture") { _, m in m["vdrop.architecture"] = nil }
        try refused("positive vdrop.compression") { _, m in m["vdrop.compression"] = "-3" }
        try refused("must be a percentage") { _, m in m["vdrop.test_error_percent"] = "nan" }
        try refused("not a valid description") { _, m in m["vdrop.architecture"] = "{\"stages\": 3}" }
        try refused("sample shape") { _, m in m["vdrop.architecture"]?.replace("[2,6,6]", with: "[2,-6,6]") }
        try refused("would pass 134217728 weights", edit: architecture { $0.replace("[5,27]", with: "[4611686018427387904,27]") })
        try refused("it reads 27 values", edit: architecture { $0.replace("[5,27]", with: "[5,28]") })
        try refused("0 ≤ padding < k", edit: architecture { $0.replace("\"padding\":1", with: "\"padding\":-1") })
        try refused("a name another stage has", edit: architecture { $0.replace("\"dense2\"", with: "\"dense1\"") })
        try refused("epsilon must be positive", edit: architecture { $0.replace("\"epsilon\":", with: "\"epsilon\":-") })
        try refused("offsets decrease at row 1") { e, _ in e["dense1.crow_indices"]?.integers[1] = 99 }
        try refused("out of 0..<27 or not ascending") { e, _ in e["dense1.col_indices"]?.integers[0] = 27 }
        try refused("out of 0..<27 or not ascending") { e, _ in
            let first = e["dense1.col_indices"]?.integers[0] ?? 0
            e["dense1.col_indices"]?.integers[1] = first
        }
        try refused("non-finite") { e, _ in e["dense2.values"]?.values[2] = .infinity }
        try refused("non-finite") { e, _ in e["dense2.bias"]?.values[0] = .nan }
        try refused("negative variance") { e, _ in e["bn1.running_var"]?.values[0] = -1 }
        try refused("it must be F32") { e, _ in e["dense2.bias"] = .init(name: "dense2.bias", shape: [3], integers: [1, 2, 3]) }
        try refused("needs I64 of shape [6]") { e, _ in e["dense1.crow_indices"]?.integers.removeLast(); e["dense1.crow_indices"]?.shape = [5] }
        try refused("lacks the tensor \"conv1.bias\"") { e, _ in e["conv1.bias"] = nil }
        try refused("which no stage of its vdrop.architecture uses") { e, _ in e["extra"] = .init(name: "extra", shape: [1], values: [1]) }
        try refused("not ascending") { e, _ in e["input_selection"] = .init(name: "input_selection", shape: [2], integers: [3, 3]) }
    }

    /// 500 seeded byte mutations of a csr file (most in its header, where the shapes and offsets
    /// are): each reads back or throws a ModelFileError; a trap would end the test process.
    func testMutatedFilesReadOrThrowNeverTrap() throws {
        let original = try Self.network.safeTensorsData(format: .csr)
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        let noise = testValues(1500, seed: 5, in: 0...1)
        var read = 0
        for trial in 0..<500 {
            var data = original
            let inHeader = noise[3 * trial] < 0.8
            let position = inHeader ? 8 + Int(noise[3 * trial + 1] * Float(headerEnd - 8)) : headerEnd + Int(noise[3 * trial + 1] * Float(data.count - headerEnd))
            data[min(position, data.count - 1)] = UInt8(noise[3 * trial + 2] * 255)
            do {
                _ = try InferenceModel(exportedData: data, file: "mutated")
                read += 1
            } catch {
                XCTAssertTrue(error is ModelFileError, "trial \(trial): \(error)")
            }
        }
        XCTAssertLessThan(read, 500, "some mutations must be refused")
    }
}
