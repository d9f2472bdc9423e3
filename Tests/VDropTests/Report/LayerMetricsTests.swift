import Foundation
@testable import VDrop
import XCTest

/// The per-layer metrics: kept fractions under both trim rules, log α quantiles and the mean
/// |θ|, against values worked out in Double here, on one layer and on a tiny network's layers.
final class LayerMetricsTests: XCTestCase {
    func testQuantilesInterpolateBetweenOrderStatistics() {
        // NumPy's default: level q at position q·(n − 1).
        XCTAssertEqual(OrderStatistics.quantiles([5, 1, 4, 2, 3], levels: LayerMetrics.quantileLevels), [1.2, 2, 3, 4, 4.8])
        XCTAssertEqual(OrderStatistics.quantiles([7], levels: [0.05, 0.95]), [7, 7])
        XCTAssertEqual(OrderStatistics.quantiles([], levels: [0.5]), [0])
        XCTAssertEqual(OrderStatistics.quantiles([.nan, 2, .infinity, 1], levels: [0, 1]), [1, 2], "only finite values count")
    }

    /// Selection finds what sorting finds, with many equal values and in ranges of every size.
    func testSelectionAgreesWithSorting() {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 2, 17, 100, 5000] {
            for distinct in [1, 3, 1000] {
                let values = (0..<count).map { _ in Float(Int.random(in: 0..<distinct, using: &generator)) * 0.5 }
                let sorted = values.sorted()
                let ranks = [0, count / 20, count / 4, count / 2, count - 1, max(0, count - 2)]
                var scratch = values
                XCTAssertEqual(OrderStatistics.select(&scratch, ranks: ranks), ranks.map { sorted[$0] }, "\(count) values, \(distinct) distinct")
            }
        }
    }

    func testMetricsOfOneLayer() {
        let theta: [Float] = [0.5, -0.005, 0.02, 0, 1e-3]
        let logSigma2: [Float] = [-4, -8, 0, -10, -20]
        let m = LayerMetrics.measure(layer: "dense1", theta: theta[...], logSigma2: logSigma2[...], rules: LayerMetrics.Rules(run: .mu(threshold: 0.01)))
        XCTAssertEqual(m.weights, 5)
        // |θ| ≥ 0.01 keeps 0.5 and 0.02.
        XCTAssertEqual(m.keptMu, 2.0 / 5)
        // log α = log σ² − log θ² < 3 keeps 0.5 (−2.6), −0.005 (2.6) and 1e-3 (−6.2); θ = 0 is never kept.
        XCTAssertEqual(m.keptLogAlpha, 3.0 / 5)
        XCTAssertEqual(m.meanAbsTheta, (0.5 + 0.005 + 0.02 + 0 + 0.001) / 5, accuracy: 1e-9)
        // The quantiles of log α in Double, θ² floored by 1e-16 as the metrics do.
        let logAlpha = zip(theta, logSigma2).map { Double($1) - log(Double($0) * Double($0) + 1e-16) }.sorted()
        let expected = LayerMetrics.quantileLevels.map { q -> Double in
            let position = q * Double(logAlpha.count - 1), below = Int(position)
            return logAlpha[below] + (position - Double(below)) * (logAlpha[min(below + 1, logAlpha.count - 1)] - logAlpha[below])
        }
        // Float's log is within 1e-5 of Double's at these magnitudes (|log α| < 40).
        for (got, want) in zip(m.logAlphaQuantiles, expected) { XCTAssertEqual(got, want, accuracy: 1e-5) }
    }

    func testRulesPairTheRunsOwnWithTheOthersDefault() {
        XCTAssertEqual(LayerMetrics.Rules(run: .mu(threshold: 0.02)), LayerMetrics.Rules(mu: .mu(threshold: 0.02), logAlpha: .logAlpha(threshold: 3)))
        XCTAssertEqual(LayerMetrics.Rules(run: .logAlpha(threshold: 2)), LayerMetrics.Rules(mu: .mu(threshold: 0.01), logAlpha: .logAlpha(threshold: 2)))
    }

    /// On a network of two dense layers, each layer's metrics come from its own range of the
    /// arena's θ and log σ² segments.
    func testEachLayerReadsItsOwnWeights() throws {
        let network = try Network(specs: [.dense(outputs: 3), .relu, .dense(outputs: 2)], sampleShape: [1, 2, 2], batch: 1, backend: TestBackends.cpu)
        let w = network.arena.weightCount
        XCTAssertEqual(w, 4 * 3 + 3 * 2)
        var parameters = [Float](repeating: 0, count: network.arena.count)
        for i in 0..<w {
            parameters[i] = (i % 3 == 0 ? 0.001 : 0.1) * Float(i + 1)
            parameters[w + i] = -6 + Float(i) * 0.5
        }
        let rules = LayerMetrics.Rules(run: .mu(threshold: 0.01))
        let measured = LayerMetrics.measure(network: network, parameters: parameters, rules: rules)
        XCTAssertEqual(measured.map(\.layer), ["dense1", "dense2"])
        XCTAssertEqual(measured[0], LayerMetrics.measure(layer: "dense1", theta: parameters[0..<12], logSigma2: parameters[w..<(w + 12)], rules: rules))
        XCTAssertEqual(measured[1], LayerMetrics.measure(layer: "dense2", theta: parameters[12..<18], logSigma2: parameters[(w + 12)..<(w + 18)], rules: rules))
        let snapshot = HistogramSnapshot.measure(epoch: 0, network: network, parameters: parameters, rules: rules)
        XCTAssertEqual(snapshot.layers.map(\.logAlpha.count), [12, 6], "every weight of a layer is counted")
        XCTAssertEqual(snapshot.layers.map { $0.logAlphaKeptByMu.count }, [Int((measured[0].keptMu * 12).rounded()), Int((measured[1].keptMu * 6).rounded())])
    }
}
