/// A data set living on a backend: its pixels (as bytes) and labels uploaded once, and an
/// order (the shuffled sample numbers) from which batches are gathered — and normalized —
/// on the device.
public final class DeviceDataset {
    public let dataset: Dataset
    /// The pixel bytes, four to a Float32 slot.
    let pixels: Tensor
    /// The per-channel scales, then shifts.
    let normalization: Tensor
    let labels: Tensor
    /// Sample numbers in visiting order, as Float; rewritten once per epoch.
    let order: Tensor
    let backend: any Backend

    public init(_ dataset: Dataset, backend: any Backend) throws {
        self.dataset = dataset
        self.backend = backend
        pixels = try backend.allocate([(dataset.pixels.count + 3) / 4])
        try backend.uploadBytes(dataset.pixels, to: pixels)
        normalization = try backend.tensor(dataset.scale + dataset.shift, shape: [2 * dataset.scale.count])
        labels = try backend.tensor(dataset.labels.map(Float.init), shape: [dataset.count])
        order = try Self.unshuffledOrder(of: dataset, on: backend)
    }

    /// The same samples, already on the backend, with an order of its own: each seed of a
    /// ``SeedBatch`` shuffles its own way over one upload of the data.
    public init(sharingSamplesOf other: DeviceDataset) throws {
        dataset = other.dataset
        backend = other.backend
        pixels = other.pixels
        normalization = other.normalization
        labels = other.labels
        order = try Self.unshuffledOrder(of: dataset, on: backend)
    }

    public var count: Int { dataset.count }

    /// 0, 1, …, count − 1: the order before the first epoch's shuffle.
    private static func unshuffledOrder(of dataset: Dataset, on backend: any Backend) throws -> Tensor {
        try backend.tensor((0..<dataset.count).map(Float.init), shape: [dataset.count])
    }

    /// The order of epoch `epoch` of a run with `seed`: a Fisher–Yates shuffle driven by
    /// Philox words (stream `shuffleStream`, step = epoch), so it is the same on every backend.
    /// j = word mod (i + 1) has a bias below (i+1)/2³², negligible for any data set here.
    public static func shuffledOrder(count: Int, seed: UInt64, epoch: Int) -> [Float] {
        var order = Array(0..<count)
        let key = NoiseKey(seed: seed, step: UInt64(epoch), stream: NoiseKey.shuffleStream)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(key.word(count - 1 - i) % UInt32(i + 1))
                order.swapAt(i, j)
            }
        }
        return order.map(Float.init)
    }

    /// Uploads the visiting order (one transfer per epoch, outside the step loop).
    public func setOrder(_ values: [Float]) throws {
        try backend.upload(values, to: order)
    }

    /// Gathers samples order[start ..< start + batch] into the network's input and labels.
    /// A batch running past the end wraps around to the start of the order, as many times as
    /// it takes (a batch may be larger than the whole set: evaluation with a large --batch).
    public func gatherBatch(start: Int, into network: Network) throws {
        precondition(start >= 0 && start < count, "batch start outside the data set")
        let rows = network.batch
        var filled = 0, from = start
        while filled < rows {
            let chunk = min(rows - filled, count - from)
            try gather(from: from, rows: chunk, into: network, at: filled)
            filled += chunk
            from = 0
        }
    }

    /// Samples order[from ..< from + rows] into rows at ..< at + rows of the batch.
    private func gather(from: Int, rows: Int, into network: Network, at row: Int) throws {
        let size = dataset.sampleSize
        try backend.gatherNormalizedBytes(source: pixels, rowSize: size, channelSize: dataset.channelSize, normalization: normalization,
                                          indices: order, start: from, output: network.input.slice(from: row * size, shape: [rows * size]))
        try backend.gatherRows(source: labels, rowSize: 1, indices: order, start: from,
                               output: network.labels.slice(from: row, shape: [rows]))
    }
}
