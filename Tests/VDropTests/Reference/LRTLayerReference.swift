import Foundation
import VDrop

/// Dense and conv layers with local reparameterization in Double, written as plain sums
/// (no im2col, no GEMM) so they share no code path with either backend.
///
/// ε is given explicitly, so forward is a deterministic function of (x, θ, σ², b) that
/// finite differences can differentiate. `variance` is σ² itself; how it is made from
/// log σ² or θ is the caller's (the tests') business, except that `.gaussian(α)` adds
/// its variance path 2α·θ⊙∂L/∂σ² into ∂L/∂θ in backward.
enum LRTLayerReference {
    enum Mode {
        case lrt
        case gaussian(alpha: Double)
        case deterministic

        init(_ noise: WeightNoise) {
            switch noise {
            case .lrt: self = .lrt
            case .gaussian(let alpha): self = .gaussian(alpha: Double(alpha))
            case .deterministic: self = .deterministic
            }
        }

        var hasNoise: Bool { if case .deterministic = self { return false } else { return true } }
    }

    struct Forward {
        /// μ + √(v + 1e-8)·ε (or μ when deterministic).
        var output: [Double]
        /// ε / (2√(v + 1e-8)); empty when deterministic.
        var noiseScale: [Double]
    }

    struct Gradients {
        var theta: [Double]
        /// Empty when deterministic.
        var variance: [Double]
        var bias: [Double]
        var input: [Double]
    }

    /// σ² as the backends make it: exp(log σ²) or α·θ²; empty when deterministic.
    static func weightVariance(theta: [Double], logSigma2: [Double], mode: Mode) -> [Double] {
        switch mode {
        case .lrt: return logSigma2.map { exp($0) }
        case .gaussian(let alpha): return theta.map { alpha * $0 * $0 }
        case .deterministic: return []
        }
    }

    // MARK: Dense: x [B, I], θ and σ² [O, I], out [B, O]

    static func denseForward(x: [Double], theta: [Double], variance: [Double], bias: [Double], epsilon: [Double],
                             batch: Int, inputs: Int, outputs: Int, mode: Mode) -> Forward {
        var output = [Double](repeating: 0, count: batch * outputs)
        var noiseScale = [Double](repeating: 0, count: mode.hasNoise ? batch * outputs : 0)
        for b in 0..<batch {
            for o in 0..<outputs {
                var mean = bias[o], v = 0.0
                for i in 0..<inputs {
                    let xi = x[b * inputs + i]
                    mean += xi * theta[o * inputs + i]
                    if mode.hasNoise { v += xi * xi * variance[o * inputs + i] }
                }
                let index = b * outputs + o
                if mode.hasNoise {
                    let s = (v + 1e-8).squareRoot()
                    output[index] = mean + s * epsilon[index]
                    noiseScale[index] = epsilon[index] / (2 * s)
                } else {
                    output[index] = mean
                }
            }
        }
        return Forward(output: output, noiseScale: noiseScale)
    }

    static func denseBackward(x: [Double], theta: [Double], variance: [Double], grad: [Double], noiseScale: [Double],
                              batch: Int, inputs: Int, outputs: Int, mode: Mode) -> Gradients {
        var result = Gradients(theta: .init(repeating: 0, count: outputs * inputs),
                               variance: .init(repeating: 0, count: mode.hasNoise ? outputs * inputs : 0),
                               bias: .init(repeating: 0, count: outputs), input: .init(repeating: 0, count: batch * inputs))
        for b in 0..<batch {
            for o in 0..<outputs {
                let g = grad[b * outputs + o]
                let gv = mode.hasNoise ? g * noiseScale[b * outputs + o] : 0
                result.bias[o] += g
                for i in 0..<inputs {
                    let xi = x[b * inputs + i], w = o * inputs + i
                    result.theta[w] += g * xi
                    result.input[b * inputs + i] += g * theta[w]
                    if mode.hasNoise {
                        result.variance[w] += gv * xi * xi
                        result.input[b * inputs + i] += 2 * xi * gv * variance[w]
                    }
                }
            }
        }
        addGaussianPath(&result, theta: theta, mode: mode)
        return result
    }

    // MARK: Conv: x [B, C, H, W], θ and σ² [O, C, K, K], out [B, O, Ho, Wo]

    static func convForward(x: [Double], theta: [Double], variance: [Double], bias: [Double], epsilon: [Double],
                            geometry g: ConvGeometry, mode: Mode) -> Forward {
        let count = g.outputShape.reduce(1, *)
        var output = [Double](repeating: 0, count: count)
        var noiseScale = [Double](repeating: 0, count: mode.hasNoise ? count : 0)
        forEachTap(g) { out, input, weight in
            output[out] += x[input] * theta[weight]
            if mode.hasNoise { noiseScale[out] += x[input] * x[input] * variance[weight] }
        }
        // noiseScale held v so far.
        for index in 0..<count {
            let o = (index / g.outPlane) % g.outChannels
            output[index] += bias[o]
            if mode.hasNoise {
                let s = (noiseScale[index] + 1e-8).squareRoot()
                output[index] += s * epsilon[index]
                noiseScale[index] = epsilon[index] / (2 * s)
            }
        }
        return Forward(output: output, noiseScale: noiseScale)
    }

    static func convBackward(x: [Double], theta: [Double], variance: [Double], grad: [Double], noiseScale: [Double],
                             geometry g: ConvGeometry, mode: Mode) -> Gradients {
        let weights = g.weightShape.reduce(1, *)
        var result = Gradients(theta: .init(repeating: 0, count: weights),
                               variance: .init(repeating: 0, count: mode.hasNoise ? weights : 0),
                               bias: .init(repeating: 0, count: g.outChannels),
                               input: .init(repeating: 0, count: g.inputShape.reduce(1, *)))
        for index in 0..<grad.count { result.bias[(index / g.outPlane) % g.outChannels] += grad[index] }
        forEachTap(g) { out, input, weight in
            let gm = grad[out]
            result.theta[weight] += gm * x[input]
            result.input[input] += gm * theta[weight]
            if mode.hasNoise {
                let gv = gm * noiseScale[out]
                result.variance[weight] += gv * x[input] * x[input]
                result.input[input] += 2 * x[input] * gv * variance[weight]
            }
        }
        addGaussianPath(&result, theta: theta, mode: mode)
        return result
    }

    /// Calls `body(output index, input index, weight index)` for every product of the convolution
    /// (taps outside the padded image contribute nothing and are skipped).
    static func forEachTap(_ g: ConvGeometry, _ body: (Int, Int, Int) -> Void) {
        let k = g.kernelSize
        for b in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let out = ((b * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox
                        for c in 0..<g.inChannels {
                            for ky in 0..<k {
                                let iy = oy + ky - g.padding
                                if iy < 0 || iy >= g.height { continue }
                                for kx in 0..<k {
                                    let ix = ox + kx - g.padding
                                    if ix < 0 || ix >= g.width { continue }
                                    body(out, ((b * g.inChannels + c) * g.height + iy) * g.width + ix,
                                         ((o * g.inChannels + c) * k + ky) * k + kx)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func addGaussianPath(_ result: inout Gradients, theta: [Double], mode: Mode) {
        guard case .gaussian(let alpha) = mode else { return }
        for w in 0..<theta.count { result.theta[w] += 2 * alpha * theta[w] * result.variance[w] }
    }
}
