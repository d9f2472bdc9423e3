import VDrop
import XCTest

/// Trimming at the boundary: `mu:t` keeps |θ| = t (the paper zeroes |θ| < t), `logalpha:t` zeroes
/// log α = t (Sparse VD zeroes log α ≥ t). Weights trained with these thresholds as flags land
/// on them exactly only by chance, so no training test can tell `<` from `≤`; these put them there.
final class TrimRuleTests: XCTestCase {
    func testMuKeepsAWeightExactlyOnTheThreshold() {
        let rule = TrimRule.mu(threshold: 0.01)
        XCTAssertTrue(rule.keeps(theta: 0.01, logSigma2: 0), "|θ| = t is kept")
        XCTAssertTrue(rule.keeps(theta: -0.01, logSigma2: 0), "|θ| = t is kept, whatever the sign")
        XCTAssertFalse(rule.keeps(theta: Float(0.01).nextDown, logSigma2: 0), "|θ| just below t is trimmed")
        XCTAssertFalse(rule.keeps(theta: -Float(0.01).nextDown, logSigma2: 0))
        XCTAssertTrue(TrimRule.mu(threshold: 0).keeps(theta: 0, logSigma2: 0), "mu:0 keeps every weight, zeros too")
    }

    func testLogAlphaTrimsAWeightExactlyOnTheThreshold() {
        let rule = TrimRule.logAlpha(threshold: 3)
        // θ = ±1: log θ² = 0 exactly, so log α = ℓ.
        XCTAssertFalse(rule.keeps(theta: 1, logSigma2: 3), "log α = t is trimmed")
        XCTAssertFalse(rule.keeps(theta: -1, logSigma2: 3))
        XCTAssertTrue(rule.keeps(theta: 1, logSigma2: Float(3).nextDown), "log α just below t is kept")
        XCTAssertFalse(rule.keeps(theta: 0, logSigma2: -50), "θ = 0 has log α = ∞")
    }

    func testParsingGivesThePapersThresholds() throws {
        XCTAssertEqual(try TrimRule(parsing: "mu"), .mu(threshold: 0.01))
        XCTAssertEqual(try TrimRule(parsing: "logalpha"), .logAlpha(threshold: 3))
        XCTAssertEqual(try TrimRule(parsing: "MU:0.05"), .mu(threshold: 0.05))
        XCTAssertThrowsError(try TrimRule(parsing: "mu:-1"))
        XCTAssertThrowsError(try TrimRule(parsing: "mu:nan"))
        XCTAssertThrowsError(try TrimRule(parsing: "median"))
    }

    /// Evaluation end to end on a 2 → 2 dense layer and one sample x = (1, 0): the logits are θ's
    /// first column. The weight on the threshold decides the class, so keeping or trimming it
    /// moves the test error between 0% and 100%, and the kept count by one.
    func testEvaluationTrimsByTheRuleAtItsThreshold() throws {
        let backend = TestBackends.cpu
        let network = try Network(specs: [.dense(outputs: 2)], sampleShape: [1, 1, 2], batch: 1, backend: backend)
        let w = network.arena.weightCount
        XCTAssertEqual(w, 4)
        func evaluate(theta: [Float], logSigma2: [Float], label: UInt8, rule: TrimRule) throws -> EvaluationResult {
            var parameters = [Float](repeating: 0, count: network.arena.count)
            parameters.replaceSubrange(0..<w, with: theta)
            parameters.replaceSubrange(w..<(2 * w), with: logSigma2)
            try backend.upload(parameters, to: network.arena.parameters)
            let sample = Dataset(name: "one sample", sampleShape: [1, 1, 2], pixels: [1, 0], scale: [1], shift: [0],
                                 labels: [label], classes: 2)
            let result = try Evaluator.evaluate(network: network, data: try DeviceDataset(sample, backend: backend), rule: rule)
            XCTAssertEqual(try backend.download(network.arena.parameters), parameters, "evaluation puts the untrimmed θ back")
            return result
        }
        // θ [o, i] = [[0.005, 0.3], [0.01, 0.4]]: class 1's logit is exactly the threshold, class 0's is trimmed.
        let mu = try evaluate(theta: [0.005, 0.3, 0.01, 0.4], logSigma2: [-10, -10, -10, -10], label: 1, rule: .mu(threshold: 0.01))
        XCTAssertEqual(mu.layers.map(\.kept), [3], "0.3, 0.4 and 0.01 are kept")
        XCTAssertEqual(mu.errorPercent, 0, "with 0.01 kept the logits are (0, 0.01): class 1")
        XCTAssertEqual(mu.compression, 4.0 / 3.0)

        // θ = [[0.5, 0.3], [1, 0.4]] with log σ² = 3 for the 1: log α = 3, trimmed; logits (0.5, 0).
        let logAlpha = try evaluate(theta: [0.5, 0.3, 1, 0.4], logSigma2: [-10, -10, 3, -10], label: 0, rule: .logAlpha(threshold: 3))
        XCTAssertEqual(logAlpha.layers.map(\.kept), [3], "the weight with log α = 3 is trimmed")
        XCTAssertEqual(logAlpha.errorPercent, 0, "with it trimmed the logits are (0.5, 0): class 0")
    }
}
