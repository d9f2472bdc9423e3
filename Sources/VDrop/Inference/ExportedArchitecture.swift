/// The network's shape as an exported file states it, in its `vdrop.architecture` metadata
/// (JSON), so that any reader can rebuild the network from the file alone:
///
///     {"sample_shape": [1, 28, 28],
///      "stages": [{"op": "conv", "name": "conv1", "shape": [20, 1, 5, 5], "padding": 0},
///                 {"op": "relu"}, {"op": "max_pool"},
///                 {"op": "batch_norm", "name": "bn1", "channels": 20, "epsilon": 1e-05},
///                 {"op": "dense", "name": "dense1", "shape": [500, 800]}, ...]}
///
/// `shape` is the weight's dense shape in PyTorch's layout ([out, in] or [out, in, k, k]); a
/// dense stage flattens its input; `max_pool` is 2×2 with stride 2 (odd edges dropped); a
/// convolution has stride 1 and zero padding. When the file holds `input_selection`, the first
/// stage reads only those positions of the flattened sample.
struct ExportedArchitecture: Codable, Equatable {
    struct Stage: Codable, Equatable {
        enum Operation: String, Codable {
            case dense, conv, relu
            case maxPool = "max_pool"
            case batchNorm = "batch_norm"
        }

        var op: Operation
        var name: String?
        var shape: [Int]?
        var padding: Int?
        var channels: Int?
        var epsilon: Double?
    }

    var sampleShape: [Int]
    var stages: [Stage]

    enum CodingKeys: String, CodingKey {
        case sampleShape = "sample_shape"
        case stages
    }

    init(sampleShape: [Int], stages: [Stage]) {
        self.sampleShape = sampleShape
        self.stages = stages
    }

    /// The description of `model`'s stages (its weights are stored as tensors beside it).
    init(_ model: InferenceModel) {
        sampleShape = model.sampleShape
        stages = model.stages.map { stage in
            switch stage {
            case .dense(let d): return Stage(op: .dense, name: d.name, shape: [d.outputs, d.inputs])
            case .conv(let c):
                return Stage(op: .conv, name: c.name, shape: [c.outChannels, c.inChannels, c.kernelSize, c.kernelSize], padding: c.padding)
            case .relu: return Stage(op: .relu)
            case .maxPool: return Stage(op: .maxPool)
            case .batchNorm(let b): return Stage(op: .batchNorm, name: b.name, channels: b.channels, epsilon: Double(b.epsilon))
            }
        }
    }
}
