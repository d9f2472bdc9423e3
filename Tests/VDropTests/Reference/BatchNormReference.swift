/// BatchNorm over [B, C, S] in Double precision, as PyTorch's `BatchNorm1d/2d`.
enum BatchNormReference {
    struct Shape { let batch: Int, channels: Int, spatial: Int
        var n: Int { batch * spatial }
        var count: Int { batch * channels * spatial }
        func index(_ b: Int, _ c: Int, _ s: Int) -> Int { (b * channels + c) * spatial + s }
    }

    /// Training: mean_c = Σx/n, var_c = Σ(x − mean)²/n, invStd = 1/√(var + ε), y = γ·(x − mean)·invStd + β.
    static func trainingForward(_ x: [Double], gamma: [Double], beta: [Double], _ shape: Shape, epsilon: Double)
        -> (output: [Double], mean: [Double], variance: [Double], inverseStd: [Double]) {
        var mean = [Double](repeating: 0, count: shape.channels), variance = mean
        for c in 0..<shape.channels {
            var sum = 0.0
            for b in 0..<shape.batch { for s in 0..<shape.spatial { sum += x[shape.index(b, c, s)] } }
            mean[c] = sum / Double(shape.n)
            var squares = 0.0
            for b in 0..<shape.batch { for s in 0..<shape.spatial { let d = x[shape.index(b, c, s)] - mean[c]; squares += d * d } }
            variance[c] = squares / Double(shape.n)
        }
        let inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        return (normalize(x, mean: mean, inverseStd: inverseStd, gamma: gamma, beta: beta, shape), mean, variance, inverseStd)
    }

    /// Evaluation: y = γ·(x − running mean)/√(running var + ε) + β.
    static func evaluationForward(_ x: [Double], gamma: [Double], beta: [Double], runningMean: [Double],
                                  runningVariance: [Double], _ shape: Shape, epsilon: Double) -> [Double] {
        normalize(x, mean: runningMean, inverseStd: runningVariance.map { 1 / ($0 + epsilon).squareRoot() },
                  gamma: gamma, beta: beta, shape)
    }

    /// running ← (1 − m)·running + m·batch, with the batch variance made unbiased (×n/(n−1)).
    static func updateRunning(mean: inout [Double], variance: inout [Double], batchMean: [Double], batchVariance: [Double],
                              n: Int, momentum: Double) {
        for c in mean.indices {
            mean[c] = (1 - momentum) * mean[c] + momentum * batchMean[c]
            variance[c] = (1 - momentum) * variance[c] + momentum * batchVariance[c] * Double(n) / Double(n - 1)
        }
    }

    /// dβ = Σg, dγ = Σg·x̂, dx = γ·invStd/n·(n·g − Σg − x̂·Σg·x̂).
    static func backward(_ x: [Double], gamma: [Double], gradOutput g: [Double], mean: [Double], inverseStd: [Double],
                         _ shape: Shape) -> (gradInput: [Double], gradGamma: [Double], gradBeta: [Double]) {
        var gradInput = [Double](repeating: 0, count: shape.count)
        var gradGamma = [Double](repeating: 0, count: shape.channels), gradBeta = gradGamma
        let n = Double(shape.n)
        for c in 0..<shape.channels {
            for b in 0..<shape.batch {
                for s in 0..<shape.spatial {
                    let i = shape.index(b, c, s)
                    gradBeta[c] += g[i]
                    gradGamma[c] += g[i] * (x[i] - mean[c]) * inverseStd[c]
                }
            }
            for b in 0..<shape.batch {
                for s in 0..<shape.spatial {
                    let i = shape.index(b, c, s)
                    let xHat = (x[i] - mean[c]) * inverseStd[c]
                    gradInput[i] = gamma[c] * inverseStd[c] / n * (n * g[i] - gradBeta[c] - xHat * gradGamma[c])
                }
            }
        }
        return (gradInput, gradGamma, gradBeta)
    }

    private static func normalize(_ x: [Double], mean: [Double], inverseStd: [Double], gamma: [Double], beta: [Double],
                                  _ shape: Shape) -> [Double] {
        var y = [Double](repeating: 0, count: shape.count)
        for b in 0..<shape.batch {
            for c in 0..<shape.channels {
                for s in 0..<shape.spatial {
                    let i = shape.index(b, c, s)
                    y[i] = gamma[c] * (x[i] - mean[c]) * inverseStd[c] + beta[c]
                }
            }
        }
        return y
    }
}
