import VDrop

/// The speed of whole training steps (forward, backward, regularizer, Adam) on one backend.
public struct StepMeasurement: Codable, Equatable, Sendable {
    public var model: String
    public var objective: String
    public var backend: String
    public var batch: Int
    /// Median over the samples of (sample time / steps per sample), in milliseconds.
    public var msPerStep: Double
    /// The fastest sample's time per step.
    public var minMsPerStep: Double
    public var imagesPerSecond: Double
    /// Kernels and library launches enqueued per step (OpenCL only).
    public var kernelsPerStep: Double?
    /// Bytes of storage the network allocated when it was built: parameters, gradients,
    /// Adam's moments, activations and workspaces (not the data set, not CLBlast's own).
    public var networkBytes: Int
    /// Device bytes alive once the steps run (OpenCL only): the network plus what the backend
    /// keeps beside it (reduction scratch, CLBlast's temporary buffer, shared by every network
    /// the backend has run, so sized by the largest so far). The data set comes on top.
    public var deviceBytesInUse: Int?
    public var samples: Int
    public var stepsPerSample: Int
    /// Device time per kernel over extra steps run after the timed ones, when asked for and the
    /// backend's queue can profile (see ``KernelProfile``).
    public var profile: KernelProfile? = nil
    /// Seeds trained together in each step (a ``SeedBatch``): then `msPerStep` is one step of
    /// all of them and `imagesPerSecond` counts every seed's images. Nil: a single network.
    public var seeds: Int? = nil
}

public enum StepBenchmark {
    /// Builds `model` for `batch` on `backend`, fills it with random data (kept on the device, as
    /// the PyTorch peer does), warms up, then times `samples` runs of `stepsPerSample` steps each,
    /// each run ending with a wait for the device. With `profileSteps` > 0 on an OpenCL backend
    /// whose queue can profile, that many more steps are run with every command's event kept,
    /// and the measurement carries their ``KernelProfile``. `fuseBatchNormReLU` false: each ReLU
    /// after a BatchNorm is a layer of its own (``ModelPlan``), and the backend's name says so.
    public static func measure(model: ModelKind, objective: Objective, batch: Int, backend: any Backend,
                               samples: Int = 20, stepsPerSample: Int = 5, warmupSteps: Int = 5,
                               profileSteps: Int = 0, fuseBatchNormReLU: Bool = true) throws -> StepMeasurement {
        let before = backend.allocatedBytes
        let network = try Network(model: model, batch: batch, backend: backend, fuseBatchNormReLU: fuseBatchNormReLU)
        let networkBytes = backend.allocatedBytes - before
        try network.initializeParameters(seed: 1)
        let key = NoiseKey(seed: 99, step: 0, stream: 0x8E7C)
        try backend.upload((0..<network.input.count).map { Philox.uniform(key.word($0)) }, to: network.input)
        try backend.upload((0..<batch).map { Float($0 % network.classes) }, to: network.labels)
        var step = 0
        func run(_ count: Int) throws {
            for _ in 0..<count {
                let settings = StepSettings(objective: objective, seed: 1, step: step, datasetSize: 60_000, learningRate: 1e-3,
                                            regularizerWeight: 1, logSigma2Max: nil)
                try network.trainStep(settings, recordLoss: false)
                step += 1
            }
            try backend.synchronize()
        }
        try run(warmupSteps)
        let activity = backend.deviceActivity
        let inUse = activity?.liveBytes
        let launchesBefore = activity?.kernelsEnqueued
        let times = try Stopwatch.measure(warmup: 0, samples: samples) { try run(stepsPerSample) }
        let kernels = activity.map { Double($0.kernelsEnqueued - (launchesBefore ?? 0)) / Double(samples * stepsPerSample) }
        let perStep = Stopwatch.median(times) / Double(stepsPerSample)
        var profile: KernelProfile?
        if profileSteps > 0, let queue = activity?.queue, queue.profilingEnabled {
            queue.recordsEvents = true
            defer { queue.recordsEvents = false }
            try run(profileSteps)
            profile = KernelProfile(commands: try queue.takeRecordedCommands(), steps: profileSteps)
        }
        return StepMeasurement(model: model.rawValue, objective: objective.description,
                               backend: backend.name + separateBatchNormReLULabel(model, fused: fuseBatchNormReLU), batch: batch,
                               msPerStep: perStep * 1e3, minMsPerStep: times[0] / Double(stepsPerSample) * 1e3,
                               imagesPerSecond: Double(batch) / perStep, kernelsPerStep: kernels,
                               networkBytes: networkBytes, deviceBytesInUse: inUse, samples: samples, stepsPerSample: stepsPerSample,
                               profile: profile)
    }
}

/// " bn+relu separate" for a model with a BatchNorm → ReLU built unfused, so a measurement of
/// the unfused candidate never reads as the default's; "" otherwise.
func separateBatchNormReLULabel(_ model: ModelKind, fused: Bool) -> String {
    fused || ModelPlan(model: model, batch: 1) == ModelPlan(model: model, batch: 1, fuseBatchNormReLU: false) ? "" : " bn+relu separate"
}
