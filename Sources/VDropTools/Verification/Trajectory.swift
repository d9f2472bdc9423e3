import VDrop

/// A few training steps of one model on one backend, from a fixed initialization, batch and
/// noise: what two backends must agree on (`vdrop check`, and the tests).
public struct Trajectory: Sendable {
    /// The loss terms of each step, read before its update.
    public var losses: [StepLoss]
    /// The parameter arena after the last step.
    public var parameters: [Float]

    /// Runs `steps` steps of `model` on a batch of Philox-uniform inputs in [0, 1) and labels
    /// `i mod classes`, the regularizer weight rising 0, 0.1, 0.2, … so that it matters.
    public static func run(model: ModelKind, objective: Objective, batch: Int, steps: Int, seed: UInt64 = 42,
                           parameterization: Parameterization = .logSigma, backend: any Backend) throws -> Trajectory {
        let network = try fixedBatchNetwork(model: model, batch: batch, seed: seed, backend: backend)
        var losses: [StepLoss] = []
        for step in 0..<steps {
            let settings = StepSettings(objective: objective, seed: seed, step: step, datasetSize: 60_000,
                                        learningRate: 1e-3, regularizerWeight: Float(step) / 10,
                                        logSigma2Max: { if case .gamma = objective { return -8 } else { return nil } }(),
                                        parameterization: parameterization)
            try network.trainStep(settings, recordLoss: true)
            losses.append(try network.readLoss(settings: settings))
        }
        return Trajectory(losses: losses, parameters: try backend.download(network.arena.parameters))
    }

    /// The gradient arena of the first step (forward, loss, backward; no update).
    public static func firstGradients(model: ModelKind, objective: Objective, batch: Int, seed: UInt64 = 42,
                                      backend: any Backend) throws -> [Float] {
        let network = try fixedBatchNetwork(model: model, batch: batch, seed: seed, backend: backend)
        let mode = ForwardMode.training(noise: objective.weightNoise, key: NoiseKey(seed: seed, step: 0, stream: 0))
        try network.forward(mode: mode)
        try network.loss(gradScale: 100, withGradient: true)
        try network.backward(mode: mode)
        return try backend.download(network.arena.gradients)
    }

    private static func fixedBatchNetwork(model: ModelKind, batch: Int, seed: UInt64, backend: any Backend) throws -> Network {
        let network = try Network(model: model, batch: batch, backend: backend)
        try network.initializeParameters(seed: seed)
        let key = NoiseKey(seed: seed, step: 0, stream: 0xDA7A)
        try backend.upload((0..<network.input.count).map { Philox.uniform(key.word($0)) }, to: network.input)
        try backend.upload((0..<batch).map { Float($0 % network.classes) }, to: network.labels)
        return network
    }
}
