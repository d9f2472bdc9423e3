import Foundation
import VDrop
import XCTest

/// Central finite differences on the Double reference check every gradient its backward
/// computes, for every noise mode, with ε held fixed (the reparameterization makes the
/// noisy output a smooth function of x, θ, σ² and b).
final class LRTLayerReferenceTests: XCTestCase {
    typealias Reference = LRTLayerReference

    /// Larger variances than the backend tests use (σ² in [0.37, 7.4], α = 4): the truncation
    /// error of a central difference in σ² grows like v^(−5/2) through √(v + 1e-8), so with the
    /// fixed step 1e-3·max(1, |σ²|) the check is only sharp where v = (x⊙x)∗σ² is not tiny.
    static let noises: [WeightNoise] = [.lrt, .gaussian(alpha: 4), .deterministic]
    static let logSigma2Shift = 3.0

    func testDenseGradientsMatchFiniteDifferences() {
        let (batch, inputs, outputs) = (7, 5, 3)
        for noise in Self.noises {
            checkGradients(.dense(batch: batch, inputs: inputs, outputs: outputs), noise: noise,
                           forward: { x, theta, variance, bias, epsilon, mode in
                               Reference.denseForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon,
                                                      batch: batch, inputs: inputs, outputs: outputs, mode: mode)
                           },
                           backward: { x, theta, variance, grad, noiseScale, mode in
                               Reference.denseBackward(x: x, theta: theta, variance: variance, grad: grad, noiseScale: noiseScale,
                                                       batch: batch, inputs: inputs, outputs: outputs, mode: mode)
                           })
        }
    }

    func testConvGradientsMatchFiniteDifferences() {
        for (kernelSize, padding) in [(3, 1), (5, 0)] {
            let g = ConvGeometry(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelSize: kernelSize, padding: padding)
            for noise in Self.noises {
                checkGradients(.conv(g), noise: noise,
                               forward: { x, theta, variance, bias, epsilon, mode in
                                   Reference.convForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon,
                                                         geometry: g, mode: mode)
                               },
                               backward: { x, theta, variance, grad, noiseScale, mode in
                                   Reference.convBackward(x: x, theta: theta, variance: variance, grad: grad, noiseScale: noiseScale,
                                                          geometry: g, mode: mode)
                               })
            }
        }
    }

    /// The reference conv with a 1×1 image and no padding is the reference dense layer.
    func testConvOfOnePixelIsDense() {
        let g = ConvGeometry(batch: 3, inChannels: 4, height: 1, width: 1, outChannels: 2, kernelSize: 1, padding: 0)
        let inputs = LRTLayerInputs(.conv(g), seed: 40)
        let x = inputs.x.map(Double.init), theta = inputs.theta.map(Double.init), bias = inputs.bias.map(Double.init)
        let variance = inputs.logSigma2.map { exp(Double($0)) }, epsilon = testValues(6, seed: 41).map(Double.init)
        let conv = Reference.convForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon, geometry: g, mode: .lrt)
        let dense = Reference.denseForward(x: x, theta: theta, variance: variance, bias: bias, epsilon: epsilon,
                                           batch: 3, inputs: 4, outputs: 2, mode: .lrt)
        assertClose(conv.output, dense.output, atol: 1e-14, rtol: 1e-14, "1×1 conv vs dense")
    }

    typealias Forward = (_ x: [Double], _ theta: [Double], _ variance: [Double], _ bias: [Double],
                         _ epsilon: [Double], _ mode: Reference.Mode) -> Reference.Forward
    typealias Backward = (_ x: [Double], _ theta: [Double], _ variance: [Double], _ grad: [Double],
                          _ noiseScale: [Double], _ mode: Reference.Mode) -> Reference.Gradients

    /// L = Σ w⊙out for fixed random w and ε; compares backward(w) with central differences in
    /// x, θ (through σ² = α·θ² as well under `.gaussian`), σ² as a free input, log σ² (via σ²·∂L/∂σ²) and b.
    private func checkGradients(_ shape: LRTLayerShape, noise: WeightNoise, forward: Forward, backward: Backward,
                                file: StaticString = #filePath, line: UInt = #line) {
        let mode = Reference.Mode(noise)
        let inputs = LRTLayerInputs(shape, seed: 30)
        let x = inputs.x.map(Double.init), theta = inputs.theta.map(Double.init)
        let logSigma2 = inputs.logSigma2.map { Double($0) + Self.logSigma2Shift }, bias = inputs.bias.map(Double.init)
        let w = inputs.grad.map(Double.init)
        let epsilon = testValues(shape.outputCount, seed: 31, in: -2...2).map(Double.init)
        func loss(_ x: [Double], _ theta: [Double], _ variance: [Double], _ bias: [Double]) -> Double {
            zip(forward(x, theta, variance, bias, epsilon, mode).output, w).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let variance = Reference.weightVariance(theta: theta, logSigma2: logSigma2, mode: mode)
        let analytic = backward(x, theta, variance, w, forward(x, theta, variance, bias, epsilon, mode).noiseScale, mode)

        // Fourth-order central differences in Double: truncation (h⁴/30)·f⁽⁵⁾ ≈ 1e-13·f⁽⁵⁾
        // and rounding ≈ 1e-16·|L|/h ≈ 1e-12 stay far below 1e-7; a wrong or missing term
        // would be off by 1e-3 or more.
        let (atol, rtol) = (1e-7, 1e-6)
        let what = "\(shape) \(noise)"
        assertClose(analytic.input, finiteDifferences(x) { loss($0, theta, variance, bias) }, atol: atol, rtol: rtol,
                    "\(what): ∂L/∂x", file: file, line: line)
        assertClose(analytic.bias, finiteDifferences(bias) { loss(x, theta, variance, $0) }, atol: atol, rtol: rtol,
                    "\(what): ∂L/∂b", file: file, line: line)
        assertClose(analytic.theta, finiteDifferences(theta) {
            loss(x, $0, Reference.weightVariance(theta: $0, logSigma2: logSigma2, mode: mode), bias)
        }, atol: atol, rtol: rtol, "\(what): ∂L/∂θ", file: file, line: line)
        guard mode.hasNoise else {
            XCTAssertTrue(analytic.variance.isEmpty, "\(what): deterministic backward has no ∂L/∂σ²", file: file, line: line)
            return
        }
        assertClose(analytic.variance, finiteDifferences(variance) { loss(x, theta, $0, bias) }, atol: atol, rtol: rtol,
                    "\(what): ∂L/∂σ²", file: file, line: line)
        if case .lrt = mode {
            let chained = zip(variance, analytic.variance).map { $0 * $1 }
            assertClose(chained, finiteDifferences(logSigma2) {
                loss(x, theta, Reference.weightVariance(theta: theta, logSigma2: $0, mode: mode), bias)
            }, atol: atol, rtol: rtol, "\(what): ∂L/∂log σ² = σ²·∂L/∂σ²", file: file, line: line)
        }
    }

    /// The fourth-order central difference (8(f₊₁ − f₋₁) − (f₊₂ − f₋₂)) / 12h for each i, with
    /// f₊ₖ = f(v + k·h·eᵢ) and h = 1e-3·max(1, |vᵢ|): its truncation error is O(h⁴) where the
    /// two-point form's O(h²) would blur the test near small v.
    private func finiteDifferences(_ values: [Double], _ f: ([Double]) -> Double) -> [Double] {
        var probe = values
        func at(_ i: Int, _ value: Double) -> Double {
            probe[i] = value
            defer { probe[i] = values[i] }
            return f(probe)
        }
        return values.indices.map { i in
            let v = values[i], h = 1e-3 * max(1, abs(v))
            return (8 * (at(i, v + h) - at(i, v - h)) - (at(i, v + 2 * h) - at(i, v - 2 * h))) / (12 * h)
        }
    }
}
