/// Labeled images, normalized and ready to go to a device.
public struct Dataset: Sendable {
    /// e.g. "fashion-mnist train".
    public let name: String
    /// One sample's shape, [channels, height, width].
    public let sampleShape: [Int]
    /// count × sampleSize values, sample-major, already scaled (MNIST: /255; CIFAR: per-channel mean/std).
    public let images: [Float]
    /// count class indices in 0..<classes.
    public let labels: [UInt8]
    public let classes: Int

    public init(name: String, sampleShape: [Int], images: [Float], labels: [UInt8], classes: Int) {
        precondition(images.count == labels.count * sampleShape.reduce(1, *), "images and labels disagree in count")
        self.name = name
        self.sampleShape = sampleShape
        self.images = images
        self.labels = labels
        self.classes = classes
    }

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The first `count` samples (tests, quick runs).
    public func prefix(_ count: Int) -> Dataset {
        let n = min(count, self.count)
        return Dataset(name: name, sampleShape: sampleShape, images: Array(images[0..<(n * sampleSize)]),
                       labels: Array(labels[0..<n]), classes: classes)
    }
}

/// A training and a test set from the same source.
public struct DataSplit: Sendable {
    public let train: Dataset
    public let test: Dataset
    /// Where they came from, for reports.
    public let source: String

    public init(train: Dataset, test: Dataset, source: String) {
        self.train = train
        self.test = test
        self.source = source
    }
}
