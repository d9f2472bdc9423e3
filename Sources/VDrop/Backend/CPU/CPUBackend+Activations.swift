import Foundation

/// ReLU, 2×2 max-pooling and BatchNorm on the host, as the kernels in
/// `Kernels/relu.cl`, `Kernels/max_pool.cl` and `Kernels/batch_norm.cl` compute them.
extension CPUBackend: ActivationOperations {
    public func reluForward(input: Tensor, output: Tensor) throws {
        precondition(input.count == output.count, "relu of \(input) into \(output)")
        let x = input.hostPointer, y = output.hostPointer
        parallelFor(input.count) { range in
            for i in range { y[i] = max(x[i], 0) }
        }
    }

    public func reluBackward(output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws {
        precondition(output.count == gradOutput.count && output.count == gradInput.count,
                     "relu backward of \(gradOutput) into \(gradInput)")
        let y = output.hostPointer, g = gradOutput.hostPointer, dx = gradInput.hostPointer
        parallelFor(output.count) { range in
            for i in range { dx[i] = y[i] > 0 ? g[i] : 0 }
        }
    }

    public func maxPoolForward(input: Tensor, output: Tensor, argmax: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: input, output: output)
        precondition(argmax.shape == output.shape, "argmax \(argmax) must have the output's shape \(output.shape)")
        let outHeight = height / 2, outWidth = width / 2
        let x = input.hostPointer, y = output.hostPointer, position = argmax.hostPointer
        parallelFor(planes * outHeight, grain: max(1, 4096 / max(outWidth, 1))) { rows in
            for row in rows {
                let plane = row / outHeight, oy = row % outHeight
                let top = x + (plane * height + 2 * oy) * width
                let bottom = top + width
                for ox in 0..<outWidth {
                    // Strictly greater keeps the first of equal values, as the kernel does.
                    var best = top[2 * ox], winner: Float = 0
                    if top[2 * ox + 1] > best { best = top[2 * ox + 1]; winner = 1 }
                    if bottom[2 * ox] > best { best = bottom[2 * ox]; winner = 2 }
                    if bottom[2 * ox + 1] > best { best = bottom[2 * ox + 1]; winner = 3 }
                    y[row * outWidth + ox] = best
                    position[row * outWidth + ox] = winner
                }
            }
        }
    }

    public func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: gradInput, output: gradOutput)
        precondition(argmax.shape == gradOutput.shape, "argmax \(argmax) must have the output's shape \(gradOutput.shape)")
        let outHeight = height / 2, outWidth = width / 2
        let g = gradOutput.hostPointer, position = argmax.hostPointer, dx = gradInput.hostPointer
        parallelFor(planes, grain: max(1, 16_384 / max(height * width, 1))) { planeRange in
            for plane in planeRange {
                let planeStart = dx + plane * height * width
                // Every input element is written: zero first, then scatter within the plane (no races across threads).
                planeStart.update(repeating: 0, count: height * width)
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        let o = (plane * outHeight + oy) * outWidth + ox
                        let p = Int(position[o])
                        planeStart[(2 * oy + p / 2) * width + 2 * ox + p % 2] = g[o]
                    }
                }
            }
        }
    }

    public func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                                 runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                                 training: Bool, momentum: Float, epsilon: Float) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [output], perChannel: [gamma, beta, runningMean, runningVariance, saved.mean, saved.inverseStd])
        let n = batch * spatial
        if n == 0 { return }
        let x = input.hostPointer, y = output.hostPointer
        let gammaPointer = gamma.hostPointer, betaPointer = beta.hostPointer
        let runMean = runningMean.hostPointer, runVariance = runningVariance.hostPointer
        let savedMean = saved.mean.hostPointer, savedInverseStd = saved.inverseStd.hostPointer
        let channelStride = channels * spatial
        parallelFor(channels, grain: max(1, 16_384 / n)) { channelRange in
            for c in channelRange {
                let start = x + c * spatial
                let mean: Float, inverseStd: Float
                if training {
                    // Double sums over n values keep the statistics exact to Float rounding;
                    // the second pass around the mean avoids E[x²] − E[x]²'s cancellation.
                    var sum = 0.0
                    for b in 0..<batch { for s in 0..<spatial { sum += Double(start[b * channelStride + s]) } }
                    let batchMean = sum / Double(n)
                    var squares = 0.0
                    for b in 0..<batch {
                        for s in 0..<spatial { let d = Double(start[b * channelStride + s]) - batchMean; squares += d * d }
                    }
                    let variance = squares / Double(n)
                    mean = Float(batchMean)
                    inverseStd = 1 / Float(variance + Double(epsilon)).squareRoot()
                    savedMean[c] = mean
                    savedInverseStd[c] = inverseStd
                    // PyTorch's running variance is unbiased; one value per channel has none, so keep it biased.
                    let unbiased = n > 1 ? Float(variance * Double(n) / Double(n - 1)) : Float(variance)
                    runMean[c] = (1 - momentum) * runMean[c] + momentum * mean
                    runVariance[c] = (1 - momentum) * runVariance[c] + momentum * unbiased
                } else {
                    mean = runMean[c]
                    inverseStd = 1 / (runVariance[c] + epsilon).squareRoot()
                }
                let scale = gammaPointer[c], shift = betaPointer[c]
                for b in 0..<batch {
                    let offset = b * channelStride + c * spatial
                    for s in 0..<spatial { y[offset + s] = scale * ((x[offset + s] - mean) * inverseStd) + shift }
                }
            }
        }
    }

    public func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, saved: BatchNormSaved,
                                  gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [gradOutput, gradInput], perChannel: [gamma, gradGamma, gradBeta, saved.mean, saved.inverseStd])
        let n = batch * spatial
        if n == 0 { return }
        let x = input.hostPointer, g = gradOutput.hostPointer, dx = gradInput.hostPointer
        let gammaPointer = gamma.hostPointer, dGamma = gradGamma.hostPointer, dBeta = gradBeta.hostPointer
        let savedMean = saved.mean.hostPointer, savedInverseStd = saved.inverseStd.hostPointer
        let channelStride = channels * spatial
        parallelFor(channels, grain: max(1, 16_384 / n)) { channelRange in
            for c in channelRange {
                let mean = savedMean[c], inverseStd = savedInverseStd[c]
                var sumG = 0.0, sumGXHat = 0.0
                for b in 0..<batch {
                    let offset = b * channelStride + c * spatial
                    for s in 0..<spatial {
                        let gradient = Double(g[offset + s])
                        sumG += gradient
                        sumGXHat += gradient * Double((x[offset + s] - mean) * inverseStd)
                    }
                }
                dBeta[c] = Float(sumG)
                dGamma[c] = Float(sumGXHat)
                // dx = γ·invStd/n·(n·g − Σg − x̂·Σg·x̂)
                let factor = gammaPointer[c] * inverseStd / Float(n)
                let fn = Float(n), sg = Float(sumG), sgx = Float(sumGXHat)
                for b in 0..<batch {
                    let offset = b * channelStride + c * spatial
                    for s in 0..<spatial {
                        let xHat = (x[offset + s] - mean) * inverseStd
                        dx[offset + s] = factor * (fn * g[offset + s] - sg - xHat * sgx)
                    }
                }
            }
        }
    }
}
