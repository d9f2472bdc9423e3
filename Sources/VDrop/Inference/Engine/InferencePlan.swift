/// The operations an ``InferenceEngine`` runs for a model on a path, with each one's shapes:
/// a pure value, testable without a backend; the engine only allocates from it.
///
/// The plan fuses what the backends can fuse (a ReLU into the layer before it; on the dense
/// path a conv's ReLU and 2×2 max-pool into its epilogue) and switches the activation layout
/// where the sparse path needs it: the CSR products read and write feature-major
/// [features, batch]; everything else is sample-major (NCHW).
public struct InferencePlan: Equatable, Sendable {
    public enum Layout: Equatable, Sendable {
        case sampleMajor
        case featureMajor
    }

    public enum Operation: Equatable, Sendable {
        /// The compact network's input gather (``InferenceModel/inputSelection``), written
        /// feature-major when `transposed`.
        case selectInput(transposed: Bool)
        /// [batch, features] ↔ [features, batch].
        case transpose(toFeatureMajor: Bool)
        /// Stage `stage`'s dense layer as a GEMM, with its following ReLU when `relu`.
        case dense(stage: Int, relu: Bool)
        /// Stage `stage`'s dense layer as a CSR product, feature-major.
        case csrDense(stage: Int, relu: Bool)
        /// Stage `stage`'s conv as im2col and a GEMM, the activation in its epilogue.
        case conv(stage: Int, activation: ConvActivation)
        /// Stage `stage`'s conv straight from its non-zero taps.
        case sparseConv(stage: Int, relu: Bool)
        case relu
        case maxPool
        case batchNorm(stage: Int)
    }

    public struct Step: Equatable, Sendable {
        public var operation: Operation
        /// One sample's input and output shapes, as the model sees them (a layout does not change them).
        public var inputShape: [Int]
        public var outputShape: [Int]
        /// The layout of this step's output.
        public var outputLayout: Layout
    }

    public let steps: [Step]

    public init(model: InferenceModel, path: InferencePath) {
        var steps: [Step] = []
        var shape = model.sampleShape
        var layout = Layout.sampleMajor
        func append(_ operation: Operation, output: [Int], layout newLayout: Layout) {
            steps.append(Step(operation: operation, inputShape: shape, outputShape: output, outputLayout: newLayout))
            shape = output
            layout = newLayout
        }
        func ensure(_ wanted: Layout) {
            guard layout != wanted else { return }
            let flat = [shape.reduce(1, *)]
            shape = flat
            append(.transpose(toFeatureMajor: wanted == .featureMajor), output: flat, layout: wanted)
        }
        let stages = model.stages
        func isStage(_ index: Int, _ test: (InferenceModel.Stage) -> Bool) -> Bool { index < stages.count && test(stages[index]) }
        let isReLU = { (stage: InferenceModel.Stage) in stage == .relu }
        let isMaxPool = { (stage: InferenceModel.Stage) in stage == .maxPool }
        if let selection = model.inputSelection {
            var firstIsSparseDense = false
            if path == .sparse, case .dense? = stages.first { firstIsSparseDense = true }
            shape = [model.sampleShape.reduce(1, *)]
            append(.selectInput(transposed: firstIsSparseDense), output: [selection.count], layout: firstIsSparseDense ? .featureMajor : .sampleMajor)
        }
        var index = 0
        while index < stages.count {
            let relu = isStage(index + 1, isReLU)
            switch stages[index] {
            case .dense(let d):
                if path == .sparse {
                    ensure(.featureMajor)
                    append(.csrDense(stage: index, relu: relu), output: [d.outputs], layout: .featureMajor)
                } else {
                    ensure(.sampleMajor)
                    append(.dense(stage: index, relu: relu), output: [d.outputs], layout: .sampleMajor)
                }
                index += relu ? 2 : 1
            case .conv(let c):
                ensure(.sampleMajor)
                let output = [c.outChannels, shape[1] + 2 * c.padding - c.kernelSize + 1, shape[2] + 2 * c.padding - c.kernelSize + 1]
                if path == .sparse {
                    append(.sparseConv(stage: index, relu: relu), output: output, layout: .sampleMajor)
                    index += relu ? 2 : 1
                } else if relu && isStage(index + 2, isMaxPool) {
                    append(.conv(stage: index, activation: .reluMaxPool), output: [output[0], output[1] / 2, output[2] / 2], layout: .sampleMajor)
                    index += 3
                } else {
                    append(.conv(stage: index, activation: relu ? .relu : .none), output: output, layout: .sampleMajor)
                    index += relu ? 2 : 1
                }
            case .relu:
                append(.relu, output: shape, layout: layout)
                index += 1
            case .maxPool:
                ensure(.sampleMajor)
                append(.maxPool, output: [shape[0], shape[1] / 2, shape[2] / 2], layout: .sampleMajor)
                index += 1
            case .batchNorm:
                ensure(.sampleMajor)
                append(.batchNorm(stage: index), output: shape, layout: .sampleMajor)
                index += 1
            }
        }
        ensure(.sampleMajor)
        self.steps = steps
    }
}
