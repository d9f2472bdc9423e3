import Foundation
@testable import VDrop
import XCTest

/// The CPU backend's eight-lane exp, log, sin and cos against Double.
final class VectorMathTests: XCTestCase {
    /// Relative error of Float results against Double's, at most 3e-7 (about 2.5 ulp) over
    /// the ranges the optimizer uses: exp on [−87, 87], log on [1e−16, 1e6].
    func testExpAndLogAreWithinTwoUlp() {
        var worstExp = 0.0, worstLog = 0.0
        for start in stride(from: 0, to: 40_000, by: 8) {
            var x = SIMD8<Float>(), y = SIMD8<Float>()
            for lane in 0..<8 {
                let t = Double(start + lane) / 40_000
                x[lane] = Float(-87 + 174 * t)
                y[lane] = Float(pow(10, -16 + 22 * t))
            }
            let e = VectorMath.exp(x), l = VectorMath.log(y)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(x[lane]))
                worstExp = max(worstExp, abs(Double(e[lane]) - exact) / exact)
                let exactLog = Foundation.log(Double(y[lane]))
                worstLog = max(worstLog, abs(Double(l[lane]) - exactLog) / max(abs(exactLog), 1e-3))
            }
        }
        XCTAssertLessThan(worstExp, 3e-7, "exp: largest relative error \(worstExp)")
        XCTAssertLessThan(worstLog, 3e-7, "log: largest relative error \(worstLog)")
    }

    /// sin and cos on [0, 2π] (Box–Muller's angles) and a little beyond, where the results are at
    /// most 1: absolute error at most 1.5e-7, about 2 ulp of values near 1.
    func testSinAndCosAreWithinTwoUlp() {
        var worst = 0.0
        for start in stride(from: 0, to: 80_000, by: 8) {
            var x = SIMD8<Float>()
            for lane in 0..<8 { x[lane] = Float(7 * Double(start + lane) / 80_000) }
            let (sine, cosine) = VectorMath.sinCos(x)
            for lane in 0..<8 {
                worst = max(worst, abs(Double(sine[lane]) - Foundation.sin(Double(x[lane]))),
                            abs(Double(cosine[lane]) - Foundation.cos(Double(x[lane]))))
            }
        }
        XCTAssertLessThan(worst, 1.5e-7, "sin, cos: largest absolute error \(worst)")
    }

    func testSquareRootIsCorrectlyRounded() {
        let x = SIMD8<Float>(0, 1e-30, 0.5, 2, 3, 1e10, 12345.678, .greatestFiniteMagnitude)
        let root = VectorMath.squareRoot(x)
        for lane in 0..<8 { XCTAssertEqual(root[lane], x[lane].squareRoot(), "√\(x[lane])") }
    }
}
