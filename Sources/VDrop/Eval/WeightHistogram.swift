import Foundation

/// Counts of values in equal bins over a fixed range, with the moments TensorBoard's
/// histograms also carry.
///
/// The range is fixed rather than fitted to the values so that histograms of different
/// epochs and runs share their bins: the report overlays them and stacks them into a heat map
/// of epoch × value. A value below the range counts in the first bin and one above it in the
/// last, so the counts always add up to the values counted (min and max say how far out they
/// lay). Values that are not finite are left out.
public struct WeightHistogram: Codable, Equatable, Sendable {
    public var lower: Double
    public var upper: Double
    public var counts: [Int]
    /// Finite values counted.
    public var count: Int
    public var min: Double
    public var max: Double
    public var sum: Double
    public var sumSquares: Double

    enum CodingKeys: String, CodingKey {
        case lower, upper, counts, count, min, max, sum
        case sumSquares = "sum_squares"
    }

    public init<Values: Sequence>(_ values: Values, lower: Double, upper: Double, bins: Int) where Values.Element == Float {
        precondition(bins >= 1 && upper > lower, "a histogram needs at least one bin over a range that is not empty")
        self.lower = lower
        self.upper = upper
        var counts = [Int](repeating: 0, count: bins)
        var count = 0, low = Double.infinity, high = -Double.infinity, sum = 0.0, sumSquares = 0.0
        let scale = Double(bins) / (upper - lower)
        for value in values where value.isFinite {
            let x = Double(value)
            let bin = Swift.min(Swift.max(Int(((x - lower) * scale).rounded(.down)), 0), bins - 1)
            counts[bin] += 1
            count += 1
            low = Swift.min(low, x)
            high = Swift.max(high, x)
            sum += x
            sumSquares += x * x
        }
        self.counts = counts
        self.count = count
        // An empty histogram reports 0 rather than ±∞, which JSON cannot hold.
        min = count > 0 ? low : 0
        max = count > 0 ? high : 0
        self.sum = sum
        self.sumSquares = sumSquares
    }

    /// A histogram over the values' own range (`bins` bins from their min to their max), for
    /// quantities without a natural fixed range, such as θ.
    public init(fitting values: [Float], bins: Int) {
        let finite = values.lazy.filter(\.isFinite)
        let low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 0)
        let span = high > low ? high - low : 1
        // The upper edge is nudged past the maximum so that it falls inside the last bin.
        self.init(values, lower: low, upper: low + span * (1 + 1e-9), bins: bins)
    }

    public var binWidth: Double { (upper - lower) / Double(counts.count) }

    /// The left edge of bin `index` (index == counts.count gives the upper edge).
    public func edge(_ index: Int) -> Double { lower + binWidth * Double(index) }
}
