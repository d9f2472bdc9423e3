import Foundation
import VDrop
import XCTest

/// The OpenCL backend's LRT layers against the CPU backend on identical inputs and identical
/// Philox noise: forward output, saved noise scale, σ² and every gradient, for every noise mode.
final class LRTLayerOpenCLTests: XCTestCase {
    let key = NoiseKey(seed: 0x5EED_0000_ABCD, step: 123_456_789_012, stream: 9)

    static let shapes: [LRTLayerShape] = [
        .dense(batch: 7, inputs: 13, outputs: 11),
        .dense(batch: 100, inputs: 784, outputs: 300),
        .conv(ConvGeometry(batch: 7, inChannels: 13, height: 9, width: 8, outChannels: 5, kernelSize: 5, padding: 0)),
        .conv(ConvGeometry(batch: 7, inChannels: 13, height: 9, width: 8, outChannels: 5, kernelSize: 3, padding: 1)),
    ]

    func testOpenCLMatchesTheCPU() throws {
        let device = try TestBackends.openCL()
        var largest: Float = 0, largestAbsolute: Float = 0
        for shape in Self.shapes {
            for noise in allWeightNoises {
                let inputs = LRTLayerInputs(shape, seed: 60)
                let gpu = try runLRTLayer(device, shape, inputs, noise: noise, key: key)
                let cpu = try runLRTLayer(TestBackends.cpu, shape, inputs, noise: noise, key: key)
                let what = "\(shape) \(noise)"
                // The two backends sum up to 784 products (7·72 and 100 for weight gradients, 13·25
                // in conv) in different orders (CLBlast tiles, OpenBLAS kernels) and their exp,
                // sqrt, log, sin and cos may differ by a few ulps: about 1e-5 at these magnitudes
                // (outputs up to ~10). 1e-4 + 1e-4·|b| keeps a margin; an indexing slip is O(0.1).
                let (atol, rtol): (Float, Float) = (1e-4, 1e-4)
                func check(_ actual: [Float], _ expected: [Float], _ name: String) {
                    assertClose(actual, expected, atol: atol, rtol: rtol, "\(what): \(name)")
                    for (a, b) in zip(actual, expected) {
                        largest = max(largest, abs(a - b) / (atol + rtol * abs(b)))
                        largestAbsolute = max(largestAbsolute, abs(a - b))
                    }
                }
                check(gpu.output, cpu.output, "output")
                check(gpu.gradTheta, cpu.gradTheta, "∂L/∂θ")
                check(gpu.gradBias, cpu.gradBias, "∂L/∂b")
                check(gpu.gradInput, cpu.gradInput, "∂L/∂x")
                check(gpu.gradVariance, cpu.gradVariance, "∂L/∂σ²")
                if noise != .deterministic {
                    check(gpu.variance, cpu.variance, "σ²")
                    check(gpu.noiseScale, cpu.noiseScale, "noise scale")
                }
            }
        }
        print("LRT OpenCL vs CPU: largest error / tolerance = \(largest), largest |a−b| = \(largestAbsolute)")
    }

    func testFirstLayerBackwardAndNoiseOnTheDevice() throws {
        let device = try TestBackends.openCL()
        for shape in [Self.shapes[0], Self.shapes[3]] {
            let inputs = LRTLayerInputs(shape, seed: 61)
            let full = try runLRTLayer(device, shape, inputs, noise: .gaussian(alpha: 0.3), key: key)
            let first = try runLRTLayer(device, shape, inputs, noise: .gaussian(alpha: 0.3), key: key, gradInput: false)
            XCTAssertEqual(first.gradTheta, full.gradTheta, "\(shape)")
            XCTAssertEqual(first.gradVariance, full.gradVariance, "\(shape)")
            XCTAssertTrue(first.gradInput.isEmpty)

            var otherStep = key
            otherStep.step += 1
            let other = try runLRTLayer(device, shape, inputs, noise: .gaussian(alpha: 0.3), key: otherStep)
            let moved = zip(full.output, other.output).filter { abs($0 - $1) > 1e-3 }.count
            XCTAssertGreaterThan(moved, full.output.count * 9 / 10, "\(shape): a new step should redraw ε")
            let deterministic = try runLRTLayer(device, shape, inputs, noise: .deterministic, key: key)
            let deterministicOther = try runLRTLayer(device, shape, inputs, noise: .deterministic, key: otherStep)
            XCTAssertEqual(deterministic.output, deterministicOther.output, "\(shape): deterministic output must not depend on ε")
            XCTAssertTrue(deterministic.gradVariance.allSatisfy { $0 == untouchedGradVariance }, "\(shape): ∂L/∂σ² was written")
        }
    }
}
