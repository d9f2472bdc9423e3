import Foundation

extension CPUBackend: OptimizerOperations {
    /// Weights per block of the regularizer sum: each block is summed in Double, then the
    /// blocks in order, so the result does not depend on the thread count.
    static let regularizerSumBlock = 16_384

    public func regularizerValue(objective: Objective, theta: Tensor, logSigma2: Tensor, into output: Tensor) throws {
        OperationShapes.regularizerValue(theta: theta, logSigma2: logSigma2, output: output)
        let regularizer = Regularizer(objective: objective)
        let count = theta.count
        guard regularizer.kind != .zero, count > 0 else { output.hostPointer[0] = 0; return }
        let thetaPointer = theta.hostPointer, logSigma2Pointer = logSigma2.hostPointer
        let block = Self.regularizerSumBlock
        var partials = [Double](repeating: 0, count: (count + block - 1) / block)
        partials.withUnsafeMutableBufferPointer { partial in
            let partialPointer = partial.baseAddress!
            parallelFor(partial.count, grain: 1) { blocks in
                for blockIndex in blocks {
                    var sum = 0.0
                    for i in (blockIndex * block)..<min(count, (blockIndex + 1) * block) {
                        sum += Double(regularizer.value(theta: thetaPointer[i], logSigma2: logSigma2Pointer[i]))
                    }
                    partialPointer[blockIndex] = sum
                }
            }
        }
        output.hostPointer[0] = Float(partials.reduce(0, +))
    }

    public func addRegularizerGradient(objective: Objective, theta: Tensor, logSigma2: Tensor, scale: Float,
                                       gradTheta: Tensor, gradLogSigma2: Tensor) throws {
        let count = theta.count
        OperationShapes.regularizerGradient(theta: theta, logSigma2: logSigma2, gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
        let regularizer = Regularizer(objective: objective)
        if regularizer.kind == .zero { return }
        let t = theta.hostPointer, l = logSigma2.hostPointer
        let gt = gradTheta.hostPointer, gl = gradLogSigma2.hostPointer
        parallelFor(count) { range in
            for i in range {
                let g = regularizer.gradient(theta: t[i], logSigma2: l[i])
                gt[i] += scale * g.theta
                gl[i] += scale * g.logSigma2
            }
        }
    }

    public func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                           secondMoment: Tensor, weightCount: Int, settings: AdamSettings) throws {
        let total = parameters.count
        OperationShapes.adam(parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment,
                             weightCount: weightCount, settings: settings)
        let step = AdamStepConstants(settings)
        let regularizer = Regularizer(objective: objective)
        let trainsLogSigma2 = objective.trainsLogSigma2
        let w = weightCount, plain = total - 2 * weightCount
        let p = parameters.hostPointer, grad = gradients.hostPointer
        let m = firstMoment.hostPointer, v = secondMoment.hostPointer
        // The same mapping as the kernel: item i < W owns θ_i and ℓ_i, item W + j the plain 2W + j.
        parallelFor(w + plain, alignment: 8) { range in
            var i = range.lowerBound
            // Whole runs of eight weights on SIMD lanes; the rest (and out-of-range lanes) one by one.
            while i + 8 <= min(range.upperBound, w) {
                if !adamUpdateEight(i, w: w, p: p, grad: grad, m: m, v: v, regularizer: regularizer, step: step,
                                    trainsLogSigma2: trainsLogSigma2) {
                    scalarUpdate(i..<(i + 8))
                }
                i += 8
            }
            scalarUpdate(i..<range.upperBound)
        }

        func scalarUpdate(_ range: Range<Int>) {
            for i in range {
                if i >= w {
                    let j = w + i
                    _ = step.apply(p, m, v, j, grad[j])
                    continue
                }
                let theta = p[i], logSigma2 = p[w + i]
                let r = regularizer.gradient(theta: theta, logSigma2: logSigma2)
                _ = step.apply(p, m, v, i, grad[i] + step.regularizerWeight * r.theta)
                if trainsLogSigma2 {
                    // The layers wrote ∂L/∂σ²; ∂L/∂ℓ = σ²·∂L/∂σ².
                    let gradLogSigma2 = exp(logSigma2) * grad[w + i] + step.regularizerWeight * r.logSigma2
                    step.applyToLogSigma2(p, m, v, w + i, gradLogSigma2: gradLogSigma2)
                }
            }
        }
    }
}
