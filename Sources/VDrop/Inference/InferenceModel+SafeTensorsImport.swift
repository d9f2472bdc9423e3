import Foundation

extension InferenceModel {
    /// The most dense weights an exported file may describe (VGG-like has 15 million): a CSR
    /// file stores only the non-zeros, so its dense size is bounded here, not by its bytes.
    public static let maximumExportedWeights = 1 << 27

    /// The exported format `metadata` names, nil when it names none (a checkpoint, whose
    /// `vdrop.format` is a version number, or another safetensors file).
    static func exportedFormat(_ metadata: [String: String]) -> SafeTensorsFormat? {
        metadata[formatKey].flatMap(SafeTensorsFormat.init(rawValue:))
    }

    /// Reads a file ``safeTensorsData(format:)`` wrote. Everything is checked before it is
    /// used: the architecture's shapes chain, each tensor has its type and shape, a CSR triplet
    /// holds (``CSRMatrix``), values are finite, and no tensor is left over; a file that fails
    /// any of it is a ``ModelFileError`` naming `file`.
    public init(exportedData data: Data, file: String) throws {
        let (entries, metadata) = try SafeTensors.decode(data, file: file, dtypes: [.f32, .i64], what: "exported network")
        var reader = ExportReader(entries: entries, file: file)
        guard let format = Self.exportedFormat(metadata) else {
            throw reader.fail("names the format \"\(metadata[Self.formatKey] ?? "")\" in vdrop.format; an exported network is csr or compact.")
        }
        self = try reader.model(format: format, metadata: metadata)
    }
}

/// One exported file's tensors as they are taken; what is left at the end was not expected.
private struct ExportReader {
    var entries: [String: SafeTensors.Entry]
    let file: String

    func fail(_ problem: SettingMessage) -> ModelFileError { ModelFileError(file: file, problem: problem) }

    mutating func model(format: InferenceModel.SafeTensorsFormat, metadata: [String: String]) throws -> InferenceModel {
        let provenance = try self.provenance(metadata)
        guard let json = metadata["vdrop.architecture"] else { throw fail("lacks the vdrop.architecture metadata that describes the network.") }
        let architecture: ExportedArchitecture
        do {
            architecture = try JSONDecoder().decode(ExportedArchitecture.self, from: Data(json.utf8))
        } catch {
            throw fail("has a vdrop.architecture that is not a valid description of stages (\(error.localizedDescription)).")
        }
        let sample = architecture.sampleShape
        guard sample.count == 3, sample.allSatisfy({ $0 >= 1 }), let sampleSize = checkedProduct(sample), sampleSize <= 1 << 24 else {
            throw fail("has the sample shape \(sample); it must be [channels, height, width], each at least 1, at most 2^24 values.")
        }
        let selection = try inputSelection(sampleSize: sampleSize)
        var shape = selection.map { [$0.count] } ?? sample
        var stages: [InferenceModel.Stage] = []
        var names = Set<String>(), weights = 0
        for (index, stage) in architecture.stages.enumerated() {
            let (built, output) = try build(stage, index: index, input: shape, format: format, names: &names, weights: &weights)
            // Padding grows an image a little per convolution; the per-sample size stays bounded
            // so that a later stage's arithmetic on it cannot overflow.
            guard let size = checkedProduct(output), size <= 1 << 28 else {
                throw fail("has stage \(index) (\(stage.op.rawValue)) putting out \(output) values per sample, more than 2^28.")
            }
            stages.append(built)
            shape = output
        }
        guard !stages.isEmpty, shape.reduce(1, *) >= 1 else { throw fail("describes a network with no stages or no outputs.") }
        if let left = entries.keys.sorted().first {
            throw fail("holds the tensor \"\(left)\", which no stage of its vdrop.architecture uses.")
        }
        return InferenceModel(sampleShape: sample, inputSelection: selection, stages: stages, provenance: provenance)
    }

    private func provenance(_ metadata: [String: String]) throws -> InferenceModel.Provenance {
        guard let model = metadata["vdrop.model"], let trim = metadata["vdrop.trim"],
              let compression = metadata["vdrop.compression"].flatMap(Double.init), compression.isFinite, compression > 0 else {
            throw fail("lacks vdrop.model, vdrop.trim or a positive vdrop.compression in its metadata.")
        }
        var error: Double?
        if let text = metadata["vdrop.test_error_percent"] {
            guard let value = Double(text), value >= 0, value <= 100 else {
                throw fail("has the test error \"\(text)\"; vdrop.test_error_percent must be a percentage.")
            }
            error = value
        }
        return .init(model: model, trim: trim, compression: compression, testErrorPercent: error)
    }

    /// `input_selection`, when the file has one: ascending positions in the flattened sample.
    private mutating func inputSelection(sampleSize: Int) throws -> [Int]? {
        guard let entry = entries.removeValue(forKey: "input_selection") else { return nil }
        guard entry.dtype == .i64, entry.shape.count == 1 else { throw fail("has an input_selection that is not a vector of I64.") }
        var previous: Int64 = -1
        for position in entry.integers {
            guard position > previous, position < Int64(sampleSize) else {
                throw fail("has an input_selection with the position \(position): out of 0..<\(sampleSize) or not ascending.")
            }
            previous = position
        }
        return entry.integers.map { Int($0) }
    }

    /// One stage from its description and its tensors, and the shape it outputs.
    private mutating func build(_ stage: ExportedArchitecture.Stage, index: Int, input: [Int], format: InferenceModel.SafeTensorsFormat,
                                names: inout Set<String>, weights: inout Int) throws -> (InferenceModel.Stage, [Int]) {
        let what = "stage \(index) (\(stage.op.rawValue))"
        func named() throws -> String {
            guard let name = stage.name, !name.isEmpty, names.insert(name).inserted else {
                throw fail("has \(what) with no name, or a name another stage has.")
            }
            return name
        }
        func spatial() throws -> (channels: Int, height: Int, width: Int) {
            guard input.count == 3 else { throw fail("has \(what) reading a flat input of \(input); it needs [channels, height, width].") }
            return (input[0], input[1], input[2])
        }
        func count(_ dimensions: [Int]) throws -> Int {
            guard dimensions.allSatisfy({ $0 >= 0 }), let total = checkedProduct(dimensions),
                  case let (sum, overflow) = weights.addingReportingOverflow(total), !overflow, sum <= InferenceModel.maximumExportedWeights else {
                throw fail("has \(what) of shape \(dimensions): the network would pass \(InferenceModel.maximumExportedWeights) weights.")
            }
            weights = sum
            return total
        }
        switch stage.op {
        case .relu:
            return (.relu, input)
        case .maxPool:
            let (channels, height, width) = try spatial()
            guard height >= 2, width >= 2 else { throw fail("has \(what) over a \(height)×\(width) plane; 2×2 pooling needs at least 2×2.") }
            return (.maxPool, [channels, height / 2, width / 2])
        case .batchNorm:
            let name = try named()
            guard stage.channels == input.first, let epsilon = stage.epsilon.map(Float.init), epsilon.isFinite, epsilon > 0 else {
                throw fail("has \(what) of \(stage.channels.map(String.init) ?? "no") channels and epsilon \(stage.epsilon.map { "\($0)" } ?? "none"); its input has \(input.first ?? 0) channels and epsilon must be positive.")
            }
            let channels = input[0]
            let variance = try floats("\(name).running_var", shape: [channels])
            guard variance.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \"\(name).running_var\" holds a negative variance.") }
            return (.batchNorm(.init(name: name, gamma: try floats("\(name).weight", shape: [channels]),
                                     beta: try floats("\(name).bias", shape: [channels]),
                                     mean: try floats("\(name).running_mean", shape: [channels]),
                                     variance: variance, epsilon: epsilon)), input)
        case .dense:
            let name = try named()
            // A hidden layer may have no units at all: a compact network whose neurons were all
            // constant (folded into the next bias) is still a network.
            let inputs = input.reduce(1, *)  // bounded: the sample's size or a previous stage's, whose weights were counted
            guard let shape = stage.shape, shape.count == 2, shape[1] == inputs, shape[0] >= 0 else {
                throw fail("has \(what) \"\(name)\" of shape \(stage.shape ?? []); it reads \(inputs) values, so it needs [outputs, \(inputs)].")
            }
            _ = try count(shape)
            let weight = try self.weight(name, shape: shape, format: format)
            return (.dense(.init(name: name, inputs: inputs, outputs: shape[0], weight: weight, bias: try floats("\(name).bias", shape: [shape[0]]))), [shape[0]])
        case .conv:
            let name = try named()
            let (channels, height, width) = try spatial()
            let problem: SettingMessage = "has \(what) \"\(name)\" of shape \(stage.shape ?? []) and padding \(stage.padding.map(String.init) ?? "none") over a \(channels)×\(height)×\(width) input; it needs [out, \(channels), k, k] with 0 ≤ padding < k ≤ the padded image."
            guard let shape = stage.shape, shape.count == 4, shape[0] >= 0, shape[1] == channels, shape[2] >= 1, shape[3] == shape[2],
                  let padding = stage.padding, padding >= 0, padding < shape[2] else { throw fail(problem) }
            _ = try count(shape)  // bounds k, and so the padding, before they are added
            guard height + 2 * padding >= shape[2], width + 2 * padding >= shape[2] else { throw fail(problem) }
            let k = shape[2]
            let weight = try self.weight(name, shape: shape, format: format)
            let conv = InferenceModel.Conv(name: name, inChannels: channels, outChannels: shape[0], kernelSize: k, padding: padding,
                                           weight: weight, bias: try floats("\(name).bias", shape: [shape[0]]))
            return (.conv(conv), [shape[0], height + 2 * padding - k + 1, width + 2 * padding - k + 1])
        }
    }

    /// A layer's weight, dense and row-major, however the format stores it.
    private mutating func weight(_ name: String, shape: [Int], format: InferenceModel.SafeTensorsFormat) throws -> [Float] {
        switch format {
        case .compact:
            return try floats("\(name).weight", shape: shape)
        case .csr:
            let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
            let rowStarts = try integers("\(name).crow_indices", count: rows + 1)
            let values = try floats("\(name).values", shape: nil)
            let columnIndices = try integers("\(name).col_indices", count: values.count)
            do {
                return try CSRMatrix(rows: rows, columns: columns, rowStarts: rowStarts, columnIndices: columnIndices, values: values).dense
            } catch let error as ConfigurationError {
                throw fail("layer \"\(name)\": \(error.message)")
            }
        }
    }

    /// An F32 tensor taken from the file: of `shape` (any vector when nil), every value finite.
    private mutating func floats(_ name: String, shape: [Int]?) throws -> [Float] {
        let entry = try take(name)
        guard entry.dtype == .f32 else { throw fail("tensor \"\(name)\" is \(entry.dtype.rawValue); it must be F32.") }
        guard shape.map({ entry.shape == $0 }) ?? (entry.shape.count == 1) else {
            throw fail("tensor \"\(name)\" has the shape \(entry.shape); the network needs \(shape.map { "\($0)" } ?? "a vector").")
        }
        guard entry.values.allSatisfy({ $0.isFinite }) else { throw fail("tensor \"\(name)\" holds a non-finite value.") }
        return entry.values
    }

    /// An I64 vector of `count` taken from the file.
    private mutating func integers(_ name: String, count: Int) throws -> [Int] {
        let entry = try take(name)
        guard entry.dtype == .i64, entry.shape == [count] else {
            throw fail("tensor \"\(name)\" is \(entry.dtype.rawValue) of shape \(entry.shape); the network needs I64 of shape [\(count)].")
        }
        return entry.integers.map { Int($0) }  // Int is 64-bit on every platform vdrop builds for
    }

    private mutating func take(_ name: String) throws -> SafeTensors.Entry {
        guard let entry = entries.removeValue(forKey: name) else { throw fail("lacks the tensor \"\(name)\" its vdrop.architecture needs.") }
        return entry
    }

    /// The product of `dimensions`, nil when it overflows.
    private func checkedProduct(_ dimensions: [Int]) -> Int? {
        var total = 1
        for dimension in dimensions {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }
}
