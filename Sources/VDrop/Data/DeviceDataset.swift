/// A data set living on a backend: its images and labels uploaded once, and an order
/// (the shuffled sample numbers) from which batches are gathered on the device.
public final class DeviceDataset {
    public let dataset: Dataset
    let images: Tensor
    let labels: Tensor
    /// Sample numbers in visiting order, as Float; rewritten once per epoch.
    let order: Tensor
    let backend: any Backend

    public init(_ dataset: Dataset, backend: any Backend) throws {
        self.dataset = dataset
        self.backend = backend
        images = try backend.tensor(dataset.images, shape: [dataset.count, dataset.sampleSize])
        labels = try backend.tensor(dataset.labels.map(Float.init), shape: [dataset.count])
        order = try backend.tensor((0..<dataset.count).map(Float.init), shape: [dataset.count])
    }

    public var count: Int { dataset.count }

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
    /// A batch running past the end wraps around to the start of the order.
    public func gatherBatch(start: Int, into network: Network) throws {
        precondition(start >= 0 && start < count, "batch start outside the data set")
        let rows = network.batch
        if start + rows <= count {
            try backend.gatherRows(source: images, rowSize: dataset.sampleSize, indices: order, start: start, output: network.input)
            try backend.gatherRows(source: labels, rowSize: 1, indices: order, start: start, output: network.labels)
        } else {
            let head = count - start
            let size = dataset.sampleSize
            try backend.gatherRows(source: images, rowSize: size, indices: order, start: start,
                                   output: network.input.slice(from: 0, shape: [head * size]))
            try backend.gatherRows(source: labels, rowSize: 1, indices: order, start: start,
                                   output: network.labels.slice(from: 0, shape: [head]))
            try backend.gatherRows(source: images, rowSize: size, indices: order, start: 0,
                                   output: network.input.slice(from: head * size, shape: [(rows - head) * size]))
            try backend.gatherRows(source: labels, rowSize: 1, indices: order, start: 0,
                                   output: network.labels.slice(from: head, shape: [rows - head]))
        }
    }
}
