import Foundation

/// TensorBoard's histogram message (`HistogramProto`): bucket i holds the values in
/// (bucketLimits[i−1], bucketLimits[i]], the first bucket starting at `min`.
public struct TensorBoardHistogram: Equatable, Sendable {
    public var min: Double
    public var max: Double
    public var count: Double
    public var sum: Double
    public var sumSquares: Double
    public var bucketLimits: [Double]
    public var buckets: [Double]

    public init(min: Double, max: Double, count: Double, sum: Double, sumSquares: Double, bucketLimits: [Double], buckets: [Double]) {
        self.min = min
        self.max = max
        self.count = count
        self.sum = sum
        self.sumSquares = sumSquares
        self.bucketLimits = bucketLimits
        self.buckets = buckets
    }

    /// The same counts as `histogram`, less its empty bins at either end (a bucket below
    /// `min` or above `max` would claim a range it does not hold). The last limit is stretched
    /// to the maximum when values above the fixed range were counted in the last bin.
    public init(_ histogram: WeightHistogram) {
        min = histogram.min
        max = histogram.max
        count = Double(histogram.count)
        sum = histogram.sum
        sumSquares = histogram.sumSquares
        let used = histogram.counts.indices.filter { histogram.counts[$0] > 0 }
        guard let first = used.first, let last = used.last else {
            bucketLimits = []
            buckets = []
            return
        }
        bucketLimits = (first...last).map { histogram.edge($0 + 1) }
        bucketLimits[bucketLimits.count - 1] = Swift.max(bucketLimits[bucketLimits.count - 1], histogram.max)
        buckets = (first...last).map { Double(histogram.counts[$0]) }
    }

    /// `HistogramProto`: min 1, max 2, num 3, sum 4, sum_squares 5 (doubles), bucket_limit 6 and
    /// bucket 7 (packed doubles).
    func encode(into writer: inout ProtobufWriter) {
        writer.double(1, min)
        writer.double(2, max)
        writer.double(3, count)
        writer.double(4, sum)
        writer.double(5, sumSquares)
        writer.packedDoubles(6, bucketLimits)
        writer.packedDoubles(7, buckets)
    }
}

/// One tagged value of a TensorBoard summary.
public enum TensorBoardValue: Equatable, Sendable {
    case scalar(tag: String, value: Float)
    case histogram(tag: String, histogram: TensorBoardHistogram)

    /// `Summary.Value`: tag 1 (string), then simple_value 2 (float) or histo 5 (HistogramProto).
    func encode(into writer: inout ProtobufWriter) {
        switch self {
        case .scalar(let tag, let value):
            writer.string(1, tag)
            writer.float(2, value)
        case .histogram(let tag, let histogram):
            writer.string(1, tag)
            writer.message(5) { histogram.encode(into: &$0) }
        }
    }
}

/// The `Event` messages vdrop writes: the file's version record, and summaries.
public enum TensorBoardEvent {
    /// What TensorBoard expects in a file's first event ("brain.Event:2": summaries as values).
    public static let fileVersion = "brain.Event:2"

    /// `Event`: wall_time 1 (double, seconds since 1970), step 2 (int64), file_version 3 (string).
    /// A step of 0 is left out, as proto3 leaves out every default outside a oneof, so that the
    /// bytes equal protobuf's own encoding (the tests compare them).
    public static func fileVersion(wallTime: Double) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.double(1, wallTime)
        writer.string(3, fileVersion)
        return writer.bytes
    }

    /// `Event` with summary 5: a `Summary` whose repeated field 1 holds the values.
    public static func summary(wallTime: Double, step: Int, values: [TensorBoardValue]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.double(1, wallTime)
        if step != 0 { writer.int64(2, Int64(step)) }
        writer.message(5) { summary in
            for value in values { summary.message(1) { value.encode(into: &$0) } }
        }
        return writer.bytes
    }
}
