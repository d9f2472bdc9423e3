import Foundation

/// Mean and sample standard deviation over runs with different seeds (the paper's "± std").
public struct MeanStd: Codable, Equatable, Sendable {
    public var mean: Double
    public var std: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
        } else {
            std = 0
        }
    }

    /// "0.81 (± 0.04)" with `digits` decimals, the tables' form.
    public func formatted(digits: Int) -> String {
        String(format: "%.\(digits)f (± %.\(digits)f)", mean, std)
    }
}

/// Test error and compression over seeds: one row of the paper's Table 1 or Table 2.
public struct SeedSummary: Codable, Equatable, Sendable {
    public var label: String
    public var error: MeanStd
    public var compression: MeanStd

    public init(label: String, results: [TrainingResult]) {
        self.label = label
        error = MeanStd(results.map(\.evaluation.errorPercent))
        compression = MeanStd(results.map(\.evaluation.compression))
    }
}
