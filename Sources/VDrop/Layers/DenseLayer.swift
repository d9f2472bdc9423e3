/// A fully connected layer with local reparameterization: [batch, in] → [batch, out].
///
/// Its input may have any shape with `in` values per sample (flattening is free:
/// a reshape of the same storage). A ReLU that follows it in a model runs fused into its
/// passes (`activation`).
public final class DenseLayer: WeightLayer {
    public let name: String
    public let key: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let weightRange: Range<Int>
    public var fanIn: Int { inputs }
    public let inputs: Int
    public let outputs: Int
    public let activation: FusedActivation
    let stream: UInt32
    let backend: any Backend
    public let weights: LRTWeights
    let gradients: LRTGradients
    let workspace: DenseWorkspace

    init(name: String, key: String, backend: any Backend, batch: Int, inputs: Int, outputs: Int, activation: FusedActivation, stream: UInt32,
         weightRange: Range<Int>, biasRange: Range<Int>, views: ParameterViews) throws {
        self.name = name
        self.key = key
        self.backend = backend
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.stream = stream
        self.weightRange = weightRange
        inputShape = [batch, inputs]
        outputShape = [batch, outputs]
        weights = views.lrtWeights(weightRange, bias: biasRange, shape: [outputs, inputs])
        gradients = views.lrtGradients(weightRange, bias: biasRange, shape: [outputs, inputs])
        workspace = try DenseWorkspace(backend: backend, batch: batch, inputs: inputs, outputs: outputs)
    }

    public func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws {
        let (noise, key) = mode.layerNoise(stream: stream)
        try backend.denseForward(input: input.reshaped(inputShape), weights: weights, noise: noise, key: key,
                                 output: output, workspace: workspace, activation: activation)
    }

    public func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws {
        let (noise, _) = mode.layerNoise(stream: stream)
        try backend.denseBackward(input: input.reshaped(inputShape), weights: weights, noise: noise, gradOutput: gradOutput,
                                  output: output, workspace: workspace, gradients: gradients,
                                  gradInput: gradInput?.reshaped(inputShape), activation: activation)
    }
}
