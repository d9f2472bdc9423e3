/// The gradients of every seed of a batch. On OpenCL layer by layer across the seeds: each
/// dense and conv layer's pass and the loss are batched across the seeds (``OpenCLBackend/denseForward(layers:inputs:outputs:noise:key:)``,
/// ``OpenCLBackend/convForward(layers:inputs:outputs:noise:key:)``), every other layer runs seed
/// by seed; on the CPU backend one seed after another. Each seed computes what
/// ``Network/computeGradients(_:recordLoss:varianceReady:)`` computes for it alone: the seeds
/// share no buffer but the arenas' storage, and each launch is the single network's kernel.
extension SeedBatch {
    /// σ², forward, loss (and its terms when `recordLoss`) and backward of every seed, with
    /// seed s's settings `settings[s]` (equal but for the seed); the update is the caller's.
    public func computeGradients(_ settings: [StepSettings], recordLoss: Bool) throws {
        precondition(settings.count == seeds, "a seed batch step takes one setting per seed")
        try computeWeightVariances(noise: settings[0].objective.weightNoise)
        guard let openCL = backend.seedBatching else {
            // On the host nothing is saved by going layer by layer, and one seed at a time keeps
            // its weights and activations in cache from its forward pass to its backward pass.
            for (network, setting) in zip(networks, settings) {
                try network.computeGradients(setting, recordLoss: recordLoss, varianceReady: true)
            }
            return
        }
        let modes = settings.map { setting in
            ForwardMode.training(noise: setting.objective.weightNoise,
                                 key: NoiseKey(seed: setting.seed, step: UInt64(setting.step), stream: 0,
                                               firstSample: setting.shard?.firstSample ?? 0))
        }
        // The batched kernels derive seed s's noise from seed 0's key: seed, seed + 1, ...
        let device = settings.indices.allSatisfy { settings[$0].seed == settings[0].seed &+ UInt64($0) } ? openCL : nil
        let layerCount = networks[0].layers.count
        for index in 0..<layerCount {
            if let device, try forwardTogether(layer: index, on: device, mode: modes[0]) { continue }
            for (network, mode) in zip(networks, modes) {
                try network.layers[index].forward(network.activations[index], output: network.activations[index + 1], mode: mode)
            }
        }
        // The same scale for every seed: the settings differ only in the seed.
        let gradScale = Float(settings[0].datasetSize) / Float(settings[0].shard?.globalBatch ?? networks[0].batch)
        let lossTogether = try openCL.crossEntropy(of: networks, gradScale: gradScale)
        for (network, setting) in zip(networks, settings) {
            if !lossTogether { try network.loss(gradScale: gradScale, withGradient: true) }
            if recordLoss { try network.recordLossTerms(objective: setting.objective) }
        }
        for index in stride(from: layerCount - 1, through: 0, by: -1) {
            if let device, try backwardTogether(layer: index, on: device, mode: modes[0]) { continue }
            for (network, mode) in zip(networks, modes) {
                try network.layers[index].backward(input: network.activations[index], output: network.activations[index + 1],
                                                   gradOutput: network.activationGradients[index + 1],
                                                   gradInput: index == 0 ? nil : network.activationGradients[index], mode: mode)
            }
        }
    }

    /// Layer `index` of every seed forward in batched launches: true when it was a dense or conv
    /// layer whose tensors lie at equal strides, false (nothing enqueued) otherwise. `mode` is
    /// seed 0's; the kernels derive the other seeds' noise from it.
    private func forwardTogether(layer index: Int, on device: SeedBatchOperations, mode: ForwardMode) throws -> Bool {
        let inputs = networks.map { $0.activations[index] }, outputs = networks.map { $0.activations[index + 1] }
        let dense = networks.compactMap { $0.layers[index] as? DenseLayer }
        if dense.count == seeds {
            let (noise, key) = mode.layerNoise(stream: dense[0].stream)
            return try device.denseForward(layers: dense, inputs: inputs, outputs: outputs, noise: noise, key: key)
        }
        let conv = networks.compactMap { $0.layers[index] as? ConvLayer }
        if conv.count == seeds {
            let (noise, key) = mode.layerNoise(stream: conv[0].stream)
            return try device.convForward(layers: conv, inputs: inputs, outputs: outputs, noise: noise, key: key)
        }
        return false
    }

    /// Layer `index` of every seed backward in batched launches, as ``forwardTogether(layer:on:mode:)``.
    private func backwardTogether(layer index: Int, on device: SeedBatchOperations, mode: ForwardMode) throws -> Bool {
        let inputs = networks.map { $0.activations[index] }, outputs = networks.map { $0.activations[index + 1] }
        let gradOutputs = networks.map { $0.activationGradients[index + 1] }
        let gradInputs = index == 0 ? nil : networks.map { $0.activationGradients[index] }
        let dense = networks.compactMap { $0.layers[index] as? DenseLayer }
        if dense.count == seeds {
            let (noise, _) = mode.layerNoise(stream: dense[0].stream)
            return try device.denseBackward(layers: dense, inputs: inputs, outputs: outputs, gradOutputs: gradOutputs,
                                            gradInputs: gradInputs, noise: noise)
        }
        let conv = networks.compactMap { $0.layers[index] as? ConvLayer }
        if conv.count == seeds {
            let (noise, _) = mode.layerNoise(stream: conv[0].stream)
            return try device.convBackward(layers: conv, inputs: inputs, outputs: outputs, gradOutputs: gradOutputs,
                                           gradInputs: gradInputs, noise: noise)
        }
        return false
    }
}
