import Foundation
import VDrop
import XCTest

/// Every number a run takes is finite and in range, or a sentence naming its setting (which
/// `vdrop` prints as the flag).
final class ConfigurationValidationTests: XCTestCase {
    func assertRefused(_ change: (inout TrainingConfiguration) -> Void, naming setting: Setting, file: StaticString = #filePath, line: UInt = #line) {
        var c = TrainingConfiguration()
        c.epochs = 10
        c.decayFrom = 5
        change(&c)
        XCTAssertThrowsError(try c.validate(), "\(setting)", file: file, line: line) { error in
            XCTAssertTrue(namedSettings(error).contains(setting) && "\(error)".contains(setting.rawValue), "\(error)", file: file, line: line)
        }
    }

    func testNonFiniteAndOutOfRangeNumbersAreRefused() {
        assertRefused({ $0.annealEpochs = .infinity }, naming: .annealEpochs)
        assertRefused({ $0.annealEpochs = .nan }, naming: .annealEpochs)
        assertRefused({ $0.objective = .gamma; $0.gammaA = .infinity }, naming: .gammaA)
        assertRefused({ $0.gammaA = .nan }, naming: .gammaA)
        assertRefused({ $0.objective = .gamma; $0.gammaB = .infinity }, naming: .gammaB)
        assertRefused({ $0.objective = .gaussian; $0.alpha = .infinity }, naming: .alpha)
        assertRefused({ $0.objective = .gaussian; $0.alpha = 0 }, naming: .alpha)
        assertRefused({ $0.learningRate = 1e30 }, naming: .learningRate)
        assertRefused({ $0.learningRate = .infinity }, naming: .learningRate)
        assertRefused({ $0.learningRate = .nan }, naming: .learningRate)
        assertRefused({ $0.decayFrom = .nan }, naming: .decayFrom)
        assertRefused({ $0.regularizerScale = .infinity }, naming: .regularizerScale)
        assertRefused({ $0.logSigma2Max = -.infinity }, naming: .logSigma2Max)
        assertRefused({ $0.epochs = Int.max }, naming: .epochs)
        assertRefused({ $0.batch = 0 }, naming: .batch)
        var fine = TrainingConfiguration()
        fine.learningRate = 1
        XCTAssertNoThrow(try fine.validate())
    }

    func testSeedsNeverPassTheLargestSeed() throws {
        XCTAssertEqual(try TrainingConfiguration.seeds(from: UInt64.max, count: 1), [UInt64.max])
        XCTAssertEqual(try TrainingConfiguration.seeds(from: UInt64.max - 1, count: 2), [UInt64.max - 1, UInt64.max])
        XCTAssertThrowsError(try TrainingConfiguration.seeds(from: UInt64.max, count: 2)) { error in
            XCTAssertEqual(namedSettings(error), [.seed, .seeds], "\(error)")
        }
        XCTAssertThrowsError(try TrainingConfiguration.seeds(from: 1, count: 0))
    }

    /// The paper leaves the Gamma regularizer unscaled on every model (Table 2); VGG-like's
    /// ARD and Sparse VD take s = 0.05 unless --reg-scale says otherwise.
    func testTheGammaRegularizerIsNeverScaledUnlessAsked() {
        var c = TrainingConfiguration()
        c.model = .vgglike
        c.objective = .gamma
        XCTAssertEqual(c.effectiveRegularizerScale, 1)
        c.objective = .ard
        XCTAssertEqual(c.effectiveRegularizerScale, 0.05)
        c.objective = .gamma
        c.regularizerScale = 0.3
        XCTAssertEqual(c.effectiveRegularizerScale, 0.3)
    }
}
