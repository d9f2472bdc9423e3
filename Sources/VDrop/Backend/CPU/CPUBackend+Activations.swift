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
                maxPoolRow(top: x + (plane * height + 2 * oy) * width, width: width,
                           output: y + row * outWidth, argmax: position + row * outWidth)
            }
        }
    }

    public func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor) throws {
        let (planes, height, width) = MaxPoolGeometry.of(input: gradInput, output: gradOutput)
        precondition(argmax.shape == gradOutput.shape, "argmax \(argmax) must have the output's shape \(gradOutput.shape)")
        let pooledPlane = (height / 2) * (width / 2)
        let g = gradOutput.hostPointer, position = argmax.hostPointer, dx = gradInput.hostPointer
        parallelFor(planes, grain: max(1, 16_384 / max(height * width, 1))) { planeRange in
            for plane in planeRange {
                maxPoolBackwardPlane(gradOutput: g + plane * pooledPlane, argmax: position + plane * pooledPlane, pooled: nil,
                                     height: height, width: width, gradInput: dx + plane * height * width)
            }
        }
    }

    public func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                                 runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                                 training: Bool, momentum: Float, epsilon: Float, activation: FusedActivation) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [output], perChannel: [gamma, beta, runningMean, runningVariance, saved.mean, saved.inverseStd])
        let n = batch * spatial
        if n == 0 { return }
        let x = input.hostPointer, y = output.hostPointer
        let gammaPointer = gamma.hostPointer, betaPointer = beta.hostPointer
        let runMean = runningMean.hostPointer, runVariance = runningVariance.hostPointer
        let savedMean = saved.mean.hostPointer, savedInverseStd = saved.inverseStd.hostPointer
        let channelStride = channels * spatial, relu = activation == .relu
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
                    if relu {
                        // max(_, 0) as reluForward takes it, so the fused pass writes its bits.
                        for s in 0..<spatial { y[offset + s] = max(scale * ((x[offset + s] - mean) * inverseStd) + shift, 0) }
                    } else {
                        for s in 0..<spatial { y[offset + s] = scale * ((x[offset + s] - mean) * inverseStd) + shift }
                    }
                }
            }
        }
    }

    public func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, output: Tensor, saved: BatchNormSaved,
                                  gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor, activation: FusedActivation) throws {
        let (batch, channels, spatial) = BatchNormGeometry.check(
            input: input, sameAsInput: [gradOutput, output, gradInput], perChannel: [gamma, gradGamma, gradBeta, saved.mean, saved.inverseStd])
        let n = batch * spatial
        if n == 0 { return }
        let x = input.hostPointer, g = gradOutput.hostPointer, dx = gradInput.hostPointer, y = output.hostPointer
        let relu = activation == .relu
        // ∂L/∂(γ·x̂ + β): with the fused ReLU, reluBackward's mask of the gradient.
        @inline(__always) func gradientAt(_ k: Int) -> Float { !relu || y[k] > 0 ? g[k] : 0 }
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
                        let gradient = Double(gradientAt(offset + s))
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
                        dx[offset + s] = factor * (fn * gradientAt(offset + s) - sg - xHat * sgx)
                    }
                }
            }
        }
    }
}

/// One output row of 2×2 max-pooling: the ⌊width/2⌋ windows of the input rows `top` and `top + width`,
/// their maxima into `output` and the winning positions dy·2 + dx into `argmax`. Strictly greater
/// replaces, so ties keep the first position, as `max_pool_forward` does; a conv layer with a fused
/// max-pool pools with this too, so fused and unfused pooling agree bit for bit.
@inline(__always)
func maxPoolRow(top: UnsafePointer<Float>, width: Int, output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>) {
    let bottom = top + width
    for ox in 0..<(width / 2) {
        var best = top[2 * ox], winner: Float = 0
        if top[2 * ox + 1] > best { best = top[2 * ox + 1]; winner = 1 }
        if bottom[2 * ox] > best { best = bottom[2 * ox]; winner = 2 }
        if bottom[2 * ox + 1] > best { best = bottom[2 * ox + 1]; winner = 3 }
        output[ox] = best
        argmax[ox] = winner
    }
}

/// The input gradient of one height × width plane of 2×2 max-pooling: each window's gradient at its
/// argmax, zero elsewhere (and in an odd last row or column). With `pooled` (the pooled values of a
/// ReLU followed by the pool) a window whose value is not positive passes nothing, the ReLU's mask.
@inline(__always)
func maxPoolBackwardPlane(gradOutput g: UnsafePointer<Float>, argmax: UnsafePointer<Float>, pooled: UnsafePointer<Float>?,
                          height: Int, width: Int, gradInput: UnsafeMutablePointer<Float>) {
    let outHeight = height / 2, outWidth = width / 2
    // Every input element is written: zero first, then scatter within the plane.
    gradInput.update(repeating: 0, count: height * width)
    for oy in 0..<outHeight {
        for ox in 0..<outWidth {
            let o = oy * outWidth + ox
            if let pooled, !(pooled[o] > 0) { continue }
            let p = Int(argmax[o])
            gradInput[(2 * oy + p / 2) * width + 2 * ox + p % 2] = g[o]
        }
    }
}
