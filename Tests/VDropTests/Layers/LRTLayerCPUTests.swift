import Foundation
import VDrop
import XCTest

/// The CPU backend's LRT layers (Float) against the Double reference on the same ε,
/// taken from `NoiseKey.normal`, and checks that the noise is really drawn and used.
final class LRTLayerCPUTests: XCTestCase {
    let key = NoiseKey(seed: 0xC0FF_EE00_1234, step: 17, stream: 3)

    static let shapes: [LRTLayerShape] = [
        .dense(batch: 7, inputs: 5, outputs: 3),
        .dense(batch: 7, inputs: 13, outputs: 11),
        .conv(ConvGeometry(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelSize: 3, padding: 1)),
        .conv(ConvGeometry(batch: 2, inChannels: 3, height: 6, width: 5, outChannels: 4, kernelSize: 5, padding: 0)),
        .conv(ConvGeometry(batch: 7, inChannels: 13, height: 9, width: 8, outChannels: 5, kernelSize: 5, padding: 0)),
        .conv(ConvGeometry(batch: 7, inChannels: 13, height: 9, width: 8, outChannels: 5, kernelSize: 3, padding: 1)),
    ]

    func testCPUMatchesTheDoubleReference() throws {
        var largest: Float = 0, largestAbsolute: Float = 0
        for shape in Self.shapes {
            for noise in allWeightNoises {
                let inputs = LRTLayerInputs(shape, seed: 50)
                let run = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: noise, key: key)
                let expected = lrtLayerReference(shape, inputs, noise: noise, key: key)
                let what = "\(shape) \(noise)"
                // Float sums of at most 13·25 products (and 7·72 for the weight gradients) of
                // values below 1 in magnitude: rounding stays near 1e-6; 2e-5 + 1e-4·|b| is
                // ten times that, while a wrong index or missing term is off by 1e-2 or more.
                let (atol, rtol): (Float, Float) = (2e-5, 1e-4)
                func check(_ actual: [Float], _ reference: [Double], _ name: String) {
                    let expected = reference.map { Float($0) }
                    assertClose(actual, expected, atol: atol, rtol: rtol, "\(what): \(name)")
                    for (a, b) in zip(actual, expected) {
                        largest = max(largest, abs(a - b) / (atol + rtol * abs(b)))
                        largestAbsolute = max(largestAbsolute, abs(a - b))
                    }
                }
                check(run.output, expected.forward.output, "output")
                check(run.gradTheta, expected.gradients.theta, "∂L/∂θ")
                check(run.gradBias, expected.gradients.bias, "∂L/∂b")
                check(run.gradInput, expected.gradients.input, "∂L/∂x")
                if noise == .deterministic {
                    XCTAssertTrue(run.gradVariance.allSatisfy { $0 == untouchedGradVariance }, "\(what): ∂L/∂σ² was written")
                } else {
                    check(run.variance, expected.variance, "σ²")
                    check(run.noiseScale, expected.forward.noiseScale, "noise scale")
                    check(run.gradVariance, expected.gradients.variance, "∂L/∂σ²")
                }
            }
        }
        print("LRT CPU vs Double reference: largest error / tolerance = \(largest), largest |a−b| = \(largestAbsolute)")
    }

    func testFirstLayerBackwardWithoutGradInputGivesTheSameWeightGradients() throws {
        for shape in [Self.shapes[1], Self.shapes[4]] {
            let inputs = LRTLayerInputs(shape, seed: 51)
            let full = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .lrt, key: key)
            let first = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .lrt, key: key, gradInput: false)
            XCTAssertEqual(first.gradTheta, full.gradTheta, "\(shape)")
            XCTAssertEqual(first.gradVariance, full.gradVariance, "\(shape)")
            XCTAssertEqual(first.gradBias, full.gradBias, "\(shape)")
        }
    }

    func testNoiseDependsOnTheStepAndDeterministicIgnoresSigma2() throws {
        for shape in [Self.shapes[1], Self.shapes[5]] {
            var inputs = LRTLayerInputs(shape, seed: 52)
            var otherStep = key
            otherStep.step += 1
            let a = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .lrt, key: key)
            let b = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .lrt, key: otherStep)
            let deterministic = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .deterministic, key: key)
            // σ² ≥ 0.02 with inputs of order 1: the noise √v·ε moves almost every output by 1e-2 or more.
            let moved = zip(a.output, b.output).filter { abs($0 - $1) > 1e-3 }.count
            XCTAssertGreaterThan(moved, a.output.count * 9 / 10, "\(shape): a new step should redraw ε")
            let noisy = zip(a.output, deterministic.output).filter { abs($0 - $1) > 1e-3 }.count
            XCTAssertGreaterThan(noisy, a.output.count * 9 / 10, "\(shape): lrt output should differ from the mean")

            inputs.logSigma2 = inputs.logSigma2.map { $0 + 2 }
            let otherVariance = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: .deterministic, key: otherStep)
            XCTAssertEqual(otherVariance.output, deterministic.output, "\(shape): deterministic output must not read σ² or ε")
            XCTAssertEqual(otherVariance.gradTheta, deterministic.gradTheta, "\(shape)")
            XCTAssertEqual(otherVariance.gradInput, deterministic.gradInput, "\(shape)")
        }
    }
}
