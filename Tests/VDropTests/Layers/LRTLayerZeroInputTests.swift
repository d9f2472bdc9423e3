import VDrop
import XCTest

/// LRT layers on a batch with an all-zero sample: a blank image, or the input of a layer whose
/// ReLUs all gave 0. There v = (x⊙x)∗σ² is exactly 0, so the 1e-8 in r = √(v + 1e-8) is all that
/// keeps the noise scale ε/(2r) finite (it is 5000·ε there) and ∂L/∂σ² = (x⊙x)ᵀ∗(g·ε/(2r)) and
/// ∂L/∂x free of 0·∞ = NaN. The other layer tests feed inputs of order 1, where the 1e-8 is
/// below rounding and dropping it changes nothing they can see.
final class LRTLayerZeroInputTests: XCTestCase {
    let key = NoiseKey(seed: 0xB1A2_C3D4, step: 5, stream: 2)

    /// Dense rows past a SIMD width of 8 (the CPU epilogue's vector and scalar paths both see a zero
    /// row); conv planes of 30 positions with padding, so the whole image, borders too, is blank.
    static let shapes: [LRTLayerShape] = [
        .dense(batch: 5, inputs: 13, outputs: 11),
        .conv(ConvGeometry(batch: 3, inChannels: 2, height: 6, width: 5, outChannels: 4, kernelSize: 3, padding: 1)),
    ]

    /// Inputs with sample 1 of the batch all zero.
    static func inputs(_ shape: LRTLayerShape) -> LRTLayerInputs {
        var inputs = LRTLayerInputs(shape, seed: 70)
        let perSample = shape.inputCount / shape.batch
        for i in perSample..<(2 * perSample) { inputs.x[i] = 0 }
        return inputs
    }

    func testCPUStaysFiniteAndMatchesTheReference() throws {
        // The tolerance of LRTLayerCPUTests: the same sizes of sums and values.
        try check(TestBackends.cpu, atol: 2e-5, rtol: 1e-4)
    }

    func testOpenCLStaysFiniteAndMatchesTheReference() throws {
        // LRTLayerOpenCLTests' tolerance: the device's exp and sqrt may differ from the host's by a few ulps.
        try check(try TestBackends.openCL(), atol: 1e-4, rtol: 1e-4)
    }

    private func check<B: LRTLayerOperations>(_ backend: B, atol: Float, rtol: Float,
                                              file: StaticString = #filePath, line: UInt = #line) throws {
        for shape in Self.shapes {
            for noise in [WeightNoise.lrt, .gaussian(alpha: 0.3)] {
                let inputs = Self.inputs(shape)
                let run = try runLRTLayer(backend, shape, inputs, noise: noise, key: key)
                let expected = lrtLayerReference(shape, inputs, noise: noise, key: key)
                let what = "\(backend.name) \(shape) \(noise), sample 1 all zero"
                let results: [(String, [Float], [Double])] = [
                    ("output", run.output, expected.forward.output),
                    ("noise scale", run.noiseScale, expected.forward.noiseScale),
                    ("∂L/∂θ", run.gradTheta, expected.gradients.theta),
                    ("∂L/∂σ²", run.gradVariance, expected.gradients.variance),
                    ("∂L/∂b", run.gradBias, expected.gradients.bias),
                    ("∂L/∂x", run.gradInput, expected.gradients.input),
                ]
                for (name, actual, reference) in results {
                    let bad = actual.firstIndex { !$0.isFinite }
                    XCTAssertNil(bad, "\(what): \(name) is \(bad.map { actual[$0] } ?? 0) at index \(bad ?? -1)", file: file, line: line)
                    assertClose(actual, reference.map { Float($0) }, atol: atol, rtol: rtol, "\(what): \(name)", file: file, line: line)
                }
                // The blank sample's noise scale is ε/(2·10⁻⁴): far above the others, and what the 1e-8 is for.
                let outputsPerSample = shape.outputCount / shape.batch
                let blank = run.noiseScale[outputsPerSample..<(2 * outputsPerSample)]
                XCTAssertGreaterThan(blank.map(abs).max() ?? 0, 1000, "\(what): the blank sample's noise scale", file: file, line: line)
            }
        }
    }
}
