/// What a backend can do for a ``SeedBatch`` in one launch for all seeds, reached through
/// ``BackendCore/seedBatching`` (nil on the CPU backend, which runs the seeds one after another:
/// on the host nothing is saved by batching launches). Each operation returns false, with
/// nothing enqueued, when the seeds' tensors do not lie at equal strides.
protocol SeedBatchOperations: AnyObject {
    /// Runs `build(seed)` for every seed in order, each buffer they allocate that seed's share
    /// of one buffer, so one launch reaches every seed's.
    func buildPooled<T>(seeds: Int, _ build: (Int) throws -> T) throws -> [T]
    /// Dense layer `layers[s]` of seed s forward; seed s's noise from the seed `key.seed + s`.
    func denseForward(layers: [DenseLayer], inputs: [Tensor], outputs: [Tensor], noise: WeightNoise, key: NoiseKey) throws -> Bool
    /// Their backward passes.
    func denseBackward(layers: [DenseLayer], inputs: [Tensor], outputs: [Tensor], gradOutputs: [Tensor], gradInputs: [Tensor]?,
                       noise: WeightNoise) throws -> Bool
    /// Conv layer `layers[s]` of seed s forward; seed s's noise from the seed `key.seed + s`.
    func convForward(layers: [ConvLayer], inputs: [Tensor], outputs: [Tensor], noise: WeightNoise, key: NoiseKey) throws -> Bool
    /// Their backward passes.
    func convBackward(layers: [ConvLayer], inputs: [Tensor], outputs: [Tensor], gradOutputs: [Tensor], gradInputs: [Tensor]?,
                      noise: WeightNoise) throws -> Bool
    /// Each seed's batch gathered from its own order.
    func gatherBatches(datasets: [DeviceDataset], start: Int, into networks: [Network]) throws -> Bool
    /// Every seed's softmax cross-entropy and its gradient.
    func crossEntropy(of networks: [Network], gradScale: Float) throws -> Bool
}

extension OpenCLBackend: SeedBatchOperations {}

extension BackendCore {
    /// The backend's batched operations for seed batches, when it has them.
    var seedBatching: SeedBatchOperations? { self as? SeedBatchOperations }
}
