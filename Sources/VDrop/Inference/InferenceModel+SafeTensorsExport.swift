import Foundation

extension InferenceModel {
    /// The safetensors files `vdrop export` writes. Both carry the same metadata: `vdrop.format`
    /// (the case's raw value), `vdrop.model`, `vdrop.trim`, `vdrop.compression`,
    /// `vdrop.test_error_percent` (when known) and `vdrop.architecture` (``ExportedArchitecture``,
    /// JSON); BatchNorm stages store `NAME.weight`, `NAME.bias`, `NAME.running_mean`,
    /// `NAME.running_var` as PyTorch names them; every layer stores `LAYER.bias`; a network that
    /// reads a selection of its inputs stores `input_selection` (I64).
    public enum SafeTensorsFormat: String, CaseIterable, Sendable {
        /// Each weight as PyTorch's CSR triplet `LAYER.crow_indices` (I64, rows + 1),
        /// `LAYER.col_indices` (I64) and `LAYER.values` (F32) of the matrix [out, in] or
        /// [out, in·k·k]: `torch.sparse_csr_tensor(crow, col, values, shape)` and
        /// `scipy.sparse.csr_matrix((values, col, crow), shape)` take them as they are.
        case csr
        /// ``InferenceModel/compacted()``, dense: `LAYER.weight` in PyTorch's layout.
        case compact
    }

    /// The metadata key naming the format; a training checkpoint has "1" there.
    static let formatKey = "vdrop.format"

    /// The bytes of the file `format` describes, ready for ``writeAtomically(_:to:)``.
    public func safeTensorsData(format: SafeTensorsFormat) throws -> Data {
        let written = format == .compact ? compacted() : self
        var entries: [SafeTensors.Entry] = []
        if let selection = written.inputSelection {
            entries.append(.init(name: "input_selection", shape: [selection.count], integers: selection.map(Int64.init)))
        }
        func weight(_ name: String, _ values: [Float], shape: [Int]) {
            switch format {
            case .compact:
                entries.append(.init(name: "\(name).weight", shape: shape, values: values))
            case .csr:
                let matrix = CSRMatrix(dense: values, rows: shape[0], columns: shape.dropFirst().reduce(1, *))
                entries += [.init(name: "\(name).crow_indices", shape: [matrix.rows + 1], integers: matrix.rowStarts.map(Int64.init)),
                            .init(name: "\(name).col_indices", shape: [matrix.nonZeroCount], integers: matrix.columnIndices.map(Int64.init)),
                            .init(name: "\(name).values", shape: [matrix.nonZeroCount], values: matrix.values)]
            }
        }
        for stage in written.stages {
            switch stage {
            case .dense(let d):
                weight(d.name, d.weight, shape: [d.outputs, d.inputs])
                entries.append(.init(name: "\(d.name).bias", shape: [d.outputs], values: d.bias))
            case .conv(let c):
                weight(c.name, c.weight, shape: [c.outChannels, c.inChannels, c.kernelSize, c.kernelSize])
                entries.append(.init(name: "\(c.name).bias", shape: [c.outChannels], values: c.bias))
            case .batchNorm(let b):
                for (suffix, values) in [("weight", b.gamma), ("bias", b.beta), ("running_mean", b.mean), ("running_var", b.variance)] {
                    entries.append(.init(name: "\(b.name).\(suffix)", shape: [b.channels], values: values))
                }
            case .relu, .maxPool:
                break
            }
        }
        let architecture = String(decoding: try JSONEncoder.sorted.encode(ExportedArchitecture(written)), as: UTF8.self)
        var metadata = [Self.formatKey: format.rawValue, "vdrop.model": provenance.model, "vdrop.trim": provenance.trim,
                        "vdrop.compression": String(provenance.compression), "vdrop.architecture": architecture]
        metadata["vdrop.test_error_percent"] = provenance.testErrorPercent.map { String($0) }
        return try SafeTensors.encode(entries, metadata: metadata)
    }
}

extension JSONEncoder {
    /// Keys in a fixed order, so the same network always gives the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
