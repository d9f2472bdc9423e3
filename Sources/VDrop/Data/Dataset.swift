/// Labeled images as their raw bytes, with the per-channel normalization that turns them
/// into the network's inputs.
///
/// A data set stays bytes on the device too (a quarter of Float32's memory: CIFAR-10's
/// training set is 154 MB instead of 614 MB); batches are normalized as they are gathered:
/// input = byte·scale[c] + shift[c] for channel c.
public struct Dataset: Sendable {
    /// e.g. "fashion-mnist train".
    public let name: String
    /// One sample's shape, [channels, height, width].
    public let sampleShape: [Int]
    /// count × sampleSize bytes, sample-major, as in the files.
    public let pixels: [UInt8]
    /// Per channel: MNIST-style 1/255 and 0 (pixels to [0, 1]); CIFAR-10 1/(255·std) and −mean/std.
    public let scale: [Float]
    public let shift: [Float]
    /// count class indices in 0..<classes.
    public let labels: [UInt8]
    public let classes: Int

    public init(name: String, sampleShape: [Int], pixels: [UInt8], scale: [Float], shift: [Float], labels: [UInt8], classes: Int) {
        precondition(pixels.count == labels.count * sampleShape.reduce(1, *), "pixels and labels disagree in count")
        precondition(scale.count == sampleShape[0] && shift.count == sampleShape[0], "one scale and shift per channel")
        self.name = name
        self.sampleShape = sampleShape
        self.pixels = pixels
        self.scale = scale
        self.shift = shift
        self.labels = labels
        self.classes = classes
    }

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }
    /// Values per channel of one sample (H·W).
    public var channelSize: Int { sampleShape.dropFirst().reduce(1, *) }

    /// Every sample normalized, as the network sees it (host-side: tests and tools).
    public var images: [Float] {
        let plane = channelSize, channels = sampleShape[0]
        return pixels.enumerated().map { index, byte in
            let c = (index / plane) % channels
            return Float(byte) * scale[c] + shift[c]
        }
    }

    /// The first `count` samples (tests, quick runs).
    public func prefix(_ count: Int) -> Dataset {
        let n = min(count, self.count)
        return Dataset(name: name, sampleShape: sampleShape, pixels: Array(pixels[0..<(n * sampleSize)]), scale: scale, shift: shift,
                       labels: Array(labels[0..<n]), classes: classes)
    }
}

/// A training and a test set from the same source.
public struct DataSplit: Sendable {
    public let train: Dataset
    public let test: Dataset
    /// Where they came from, for reports.
    public let source: String
    /// Sizes and a digest of every byte: what a checkpoint records so `--resume` can refuse other data.
    public let identity: DataIdentity

    public init(train: Dataset, test: Dataset, source: String) {
        self.train = train
        self.test = test
        self.source = source
        identity = DataIdentity(train: train, test: test)
    }
}
