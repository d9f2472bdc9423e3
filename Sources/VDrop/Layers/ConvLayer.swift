/// A stride-1 2-D convolution with local reparameterization over NCHW batches, with a ReLU, or a
/// ReLU and a 2×2 max-pool, fused into its passes (``ConvActivation``).
public final class ConvLayer: WeightLayer {
    public let name: String
    public let key: String
    public let geometry: ConvGeometry
    public var inputShape: [Int] { geometry.inputShape }
    public var outputShape: [Int] { activation.outputShape(geometry) }
    public let weightRange: Range<Int>
    public var fanIn: Int { geometry.patchSize }
    public let activation: ConvActivation
    let stream: UInt32
    let backend: any Backend
    public let weights: LRTWeights
    let gradients: LRTGradients
    let workspace: ConvWorkspace

    init(name: String, key: String, backend: any Backend, geometry: ConvGeometry, activation: ConvActivation, stream: UInt32,
         weightRange: Range<Int>, biasRange: Range<Int>, views: ParameterViews, scratch: ConvScratch?) throws {
        self.name = name
        self.key = key
        self.backend = backend
        self.geometry = geometry
        self.activation = activation
        self.stream = stream
        self.weightRange = weightRange
        weights = views.lrtWeights(weightRange, bias: biasRange, shape: geometry.weightShape)
        gradients = views.lrtGradients(weightRange, bias: biasRange, shape: geometry.weightShape)
        workspace = try scratch.map { try ConvWorkspace(backend: backend, geometry: geometry, activation: activation, sharing: $0) }
            ?? ConvWorkspace(backend: backend, geometry: geometry, activation: activation)
    }

    public func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws {
        let (noise, key) = mode.layerNoise(stream: stream)
        try backend.convForward(input: input.reshaped(inputShape), weights: weights, geometry: geometry, noise: noise, key: key,
                                output: output, workspace: workspace, activation: activation)
    }

    public func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws {
        let (noise, _) = mode.layerNoise(stream: stream)
        try backend.convBackward(input: input.reshaped(inputShape), weights: weights, geometry: geometry, noise: noise,
                                 gradOutput: gradOutput, output: output, workspace: workspace, gradients: gradients,
                                 gradInput: gradInput?.reshaped(inputShape), activation: activation)
    }
}
