/// One stage of a model's definition, before it is built on a backend.
public enum LayerSpec: Equatable, Sendable {
    /// Dense with local reparameterization to `outputs` units (flattens its input).
    case dense(outputs: Int)
    /// Stride-1 convolution with local reparameterization.
    case conv(outChannels: Int, kernelSize: Int, padding: Int)
    case relu
    /// 2×2, stride 2.
    case maxPool
    /// Over the channels of its input (the features, after a dense layer).
    case batchNorm
}

/// The paper's networks (DESIGN.md, "Models").
public enum ModelKind: String, CaseIterable, Codable, Sendable, NamedChoice {
    public static let choiceName = "a model"

    /// Dense 784→300→100→10 with ReLU.
    case lenet300
    /// Caffe's LeNet-5: conv 20@5×5, pool, conv 50@5×5, pool, dense 800→500→10 (430,500 weights).
    case lenet5
    /// VGG-like for CIFAR-10: 13 conv 3×3 + BatchNorm + ReLU, 5 pools, dense 512→512→10.
    case vgglike

    /// One sample's shape: [channels, height, width].
    public var sampleShape: [Int] {
        switch self {
        case .lenet300, .lenet5: return [1, 28, 28]
        case .vgglike: return [3, 32, 32]
        }
    }

    /// The regularizer scale s of the paper's recipe: 0.05 for VGG-like on CIFAR-10, else 1.
    public var defaultRegularizerScale: Float { self == .vgglike ? 0.05 : 1 }

    public var layers: [LayerSpec] {
        switch self {
        case .lenet300:
            return [.dense(outputs: 300), .relu, .dense(outputs: 100), .relu, .dense(outputs: 10)]
        case .lenet5:
            return [.conv(outChannels: 20, kernelSize: 5, padding: 0), .relu, .maxPool,
                    .conv(outChannels: 50, kernelSize: 5, padding: 0), .relu, .maxPool,
                    .dense(outputs: 500), .relu, .dense(outputs: 10)]
        case .vgglike:
            var specs: [LayerSpec] = []
            for entry in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0] {
                if entry == 0 {
                    specs.append(.maxPool)
                } else {
                    specs += [.conv(outChannels: entry, kernelSize: 3, padding: 1), .batchNorm, .relu]
                }
            }
            return specs + [.dense(outputs: 512), .batchNorm, .relu, .dense(outputs: 10)]
        }
    }
}
