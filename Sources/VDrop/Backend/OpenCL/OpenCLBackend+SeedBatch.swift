/// A seed batch's dense and conv layers on the device: each pass one launch for every seed (a
/// dimension of the grid), where the seeds' tensors lie in one buffer at equal strides (the batch
/// builds its networks from a ``SeedStoragePool``). The kernels are the single network's, so
/// each seed gets the bits its own launch gives it.
extension OpenCLBackend {
    /// Layer `layers[s]` of seed s on `inputs[s]` into `outputs[s]`; seed s draws its noise with
    /// the seed `key.seed + s` (the seeds of the batch are consecutive). False, with nothing
    /// enqueued, when the seeds' tensors do not lie at equal strides.
    func denseForward(layers: [DenseLayer], inputs: [Tensor], outputs: [Tensor], noise: WeightNoise, key: NoiseKey) throws -> Bool {
        let first = layers[0]
        let x = inputs.map { $0.reshaped(first.inputShape) }
        let theta = layers.map(\.weights.theta), variance = layers.map(\.weights.variance), bias = layers.map(\.weights.bias)
        let noiseScale = layers.map(\.workspace.noiseScale)
        guard [x, theta, variance, bias, outputs, noiseScale].allSatisfy({ seedStride($0) != nil }) else { return false }
        let (batch, inputCount, outputCount) = OperationShapes.dense(input: x[0], weights: first.weights, output: outputs[0])
        try lrtKernels.denseForward(x: x, theta: theta, variance: variance, bias: bias, out: outputs, noiseScale: noiseScale,
                                    batch: batch, inputs: inputCount, outputs: outputCount, withNoise: noise != .deterministic,
                                    relu: first.activation == .relu, key: key)
        return true
    }

    /// The backward pass of `layers[s]` for each seed s (``denseBackward(input:weights:noise:gradOutput:output:workspace:gradients:gradInput:activation:)``
    /// for all of them): two launches, or one for the first layer (`gradInputs` nil). False, with
    /// nothing enqueued, when the seeds' tensors do not lie at equal strides.
    func denseBackward(layers: [DenseLayer], inputs: [Tensor], outputs: [Tensor], gradOutputs: [Tensor], gradInputs: [Tensor]?,
                       noise: WeightNoise) throws -> Bool {
        let first = layers[0]
        let x = inputs.map { $0.reshaped(first.inputShape) }, gradX = gradInputs?.map { $0.reshaped(first.inputShape) }
        let theta = layers.map(\.weights.theta), variance = layers.map(\.weights.variance)
        let noiseScale = layers.map(\.workspace.noiseScale)
        let gradTheta = layers.map(\.gradients.theta), gradVariance = layers.map(\.gradients.variance), gradBias = layers.map(\.gradients.bias)
        let all = [x, theta, variance, noiseScale, outputs, gradOutputs, gradTheta, gradVariance, gradBias] + (gradX.map { [$0] } ?? [])
        guard all.allSatisfy({ seedStride($0) != nil }) else { return false }
        let (batch, inputCount, outputCount) = OperationShapes.dense(input: x[0], weights: first.weights, output: gradOutputs[0])
        let withNoise = noise != .deterministic, relu = first.activation == .relu
        var alpha: Float = 0
        if case .gaussian(let a) = noise { alpha = a }
        try lrtKernels.denseWeightGradient(g: gradOutputs, out: outputs, noiseScale: noiseScale, x: x, theta: theta, gradTheta: gradTheta,
                                           gradVariance: gradVariance, gradBias: gradBias, batch: batch, inputs: inputCount,
                                           outputs: outputCount, withNoise: withNoise, relu: relu, gaussianAlpha: alpha)
        if let gradX {
            try lrtKernels.denseInputGradient(g: gradOutputs, out: outputs, noiseScale: noiseScale, x: x, theta: theta, variance: variance,
                                              gradX: gradX, batch: batch, inputs: inputCount, outputs: outputCount,
                                              withNoise: withNoise, relu: relu)
        }
        return true
    }

    /// Conv layer `layers[s]` of seed s on `inputs[s]` into `outputs[s]`
    /// (``convForward(inputs:weights:geometry:noise:key:outputs:workspaces:activation:)``); seed s
    /// draws its noise with the seed `key.seed + s`. False, with nothing enqueued, when the seeds'
    /// tensors do not lie at equal strides.
    func convForward(layers: [ConvLayer], inputs: [Tensor], outputs: [Tensor], noise: WeightNoise, key: NoiseKey) throws -> Bool {
        let first = layers[0]
        let x = inputs.map { $0.reshaped(first.inputShape) }
        guard convTensorsLieStrided(layers, [x, outputs]) else { return false }
        for (layer, (input, output)) in zip(layers, zip(x, outputs)) {
            lrtCheckConv(input: input, weights: layer.weights, geometry: layer.geometry, output: output, workspace: layer.workspace,
                         activation: layer.activation)
        }
        try convForward(inputs: x, weights: layers.map(\.weights), geometry: first.geometry, noise: noise, key: key, outputs: outputs,
                        workspaces: layers.map(\.workspace), activation: first.activation)
        return true
    }

    /// The backward pass of `layers[s]` for each seed s, batched as ``convForward(layers:inputs:outputs:noise:key:)``.
    /// False, with nothing enqueued, when the seeds' tensors do not lie at equal strides.
    func convBackward(layers: [ConvLayer], inputs: [Tensor], outputs: [Tensor], gradOutputs: [Tensor], gradInputs: [Tensor]?,
                      noise: WeightNoise) throws -> Bool {
        let first = layers[0]
        let x = inputs.map { $0.reshaped(first.inputShape) }, gradX = gradInputs?.map { $0.reshaped(first.inputShape) }
        let gradients = layers.map(\.gradients)
        let lists = [x, outputs, gradOutputs, gradients.map(\.theta), gradients.map(\.variance), gradients.map(\.bias)] + (gradX.map { [$0] } ?? [])
        guard convTensorsLieStrided(layers, lists) else { return false }
        for (layer, (input, gradOutput)) in zip(layers, zip(x, gradOutputs)) {
            lrtCheckConv(input: input, weights: layer.weights, geometry: layer.geometry, output: gradOutput, workspace: layer.workspace,
                         activation: layer.activation)
        }
        try convBackward(inputs: x, weights: layers.map(\.weights), geometry: first.geometry, noise: noise, gradOutputs: gradOutputs,
                         outputs: outputs, workspaces: layers.map(\.workspace), gradients: gradients, gradInputs: gradX,
                         activation: first.activation)
        return true
    }

    /// Whether `lists` and every weight and workspace tensor of the seeds' conv layers lie at
    /// equal strides, one list per tensor.
    private func convTensorsLieStrided(_ layers: [ConvLayer], _ lists: [[Tensor]]) -> Bool {
        let weights = layers.map(\.weights), workspaces = layers.map(\.workspace)
        var all = lists + [weights.map(\.theta), weights.map(\.variance), weights.map(\.bias),
                           workspaces.map(\.columns), workspaces.map(\.columnsSquared), workspaces.map(\.mean),
                           workspaces.map(\.variance), workspaces.map(\.noiseScale)]
        let argmax = workspaces.compactMap(\.argmax)
        if !argmax.isEmpty { all.append(argmax) }
        return argmax.isEmpty || argmax.count == layers.count ? all.allSatisfy { seedStride($0) != nil } : false
    }

    /// Every seed's training batch, samples `start ..< start + batch` of its own order, gathered
    /// (and normalized) into its network's input and labels: two launches for all seeds. False,
    /// with nothing enqueued, when the orders, inputs or labels do not lie at equal strides or the
    /// seeds do not share one data set on the device.
    func gatherBatches(datasets: [DeviceDataset], start: Int, into networks: [Network]) throws -> Bool {
        let data = datasets[0]
        let rows = networks[0].batch
        guard datasets.allSatisfy({ $0.pixels.storage === data.pixels.storage && $0.labels.storage === data.labels.storage }),
              start >= 0, start + rows <= data.count,
              let _ = seedStride(datasets.map(\.order)), let _ = seedStride(networks.map(\.input)),
              let _ = seedStride(networks.map(\.labels)) else { return false }
        let size = data.dataset.sampleSize
        try dataKernels.gatherNormalizedBytes(source: data.pixels, indices: datasets.map(\.order), start: start, norm: data.normalization,
                                              channels: data.normalization.count / 2, channelSize: data.dataset.channelSize,
                                              outputs: networks.map { $0.input.reshaped([$0.input.count]) }, rows: rows, rowSize: size)
        try dataKernels.gatherRows(source: data.labels, indices: datasets.map(\.order), start: start,
                                   outputs: networks.map(\.labels), rows: rows, rowSize: 1)
        return true
    }

    /// Every seed's softmax cross-entropy and its gradient (``softmaxCrossEntropy(logits:labels:gradScale:gradLogits:rowLoss:rowCorrect:)``
    /// for each network) in one launch. False, with nothing enqueued, when the tensors do not lie at equal strides.
    func crossEntropy(of networks: [Network], gradScale: Float) throws -> Bool {
        let first = networks[0]
        let logits = networks.map { $0.logits.reshaped([first.batch, first.classes]) }
        let gradients = networks.map { $0.activationGradients[$0.layers.count].reshaped([first.batch, first.classes]) }
        let lists = [logits, networks.map(\.labels), gradients, networks.map(\.rowLoss), networks.map(\.rowCorrect)]
        guard lists.allSatisfy({ seedStride($0) != nil }) else { return false }
        try lossKernels.crossEntropy(logits: logits, labels: lists[1], gradLogits: gradients, hasGrad: true, rowLoss: lists[3],
                                     rowCorrect: lists[4], rows: first.batch, classes: first.classes, gradScale: gradScale)
        return true
    }
}
