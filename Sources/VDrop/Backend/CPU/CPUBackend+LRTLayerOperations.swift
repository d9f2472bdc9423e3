import Foundation

/// Dense and conv layers with local reparameterization on the host: OpenBLAS GEMMs,
/// the elementwise passes (x⊙x, im2col, epilogues, col2im) as ``CPUBackend/parallelFor(_:grain:_:)`` loops.
///
/// The formulas are those of ``LRTLayerOperations``; the layouts and the scratch use of
/// the workspaces are the same as the OpenCL backend's, so the two differ only in rounding.
extension CPUBackend: LRTLayerOperations {
    public func weightVariance(theta: Tensor, logSigma2: Tensor, noise: WeightNoise, into variance: Tensor) throws {
        precondition(theta.count == variance.count && logSigma2.count == variance.count, "weightVariance: counts differ")
        let out = variance.hostPointer
        switch noise {
        case .lrt:
            let l = logSigma2.hostPointer
            parallelFor(variance.count, alignment: 8) { range in
                var i = range.lowerBound
                // Eight at a time where log σ² is inside the vector exp's range, else one by one.
                while i + 8 <= range.upperBound {
                    let chunk = UnsafeRawPointer(l + i).loadUnaligned(as: SIMD8<Float>.self)
                    if all(chunk .>= -87) && all(chunk .<= 87) {
                        UnsafeMutableRawPointer(out + i).storeBytes(of: VectorMath.exp(chunk), as: SIMD8<Float>.self)
                    } else {
                        for j in i..<(i + 8) { out[j] = exp(l[j]) }
                    }
                    i += 8
                }
                while i < range.upperBound { out[i] = exp(l[i]); i += 1 }
            }
        case .gaussian(let alpha):
            let t = theta.hostPointer
            parallelFor(variance.count) { range in for i in range { out[i] = alpha * t[i] * t[i] } }
        case .deterministic:
            break
        }
    }

    // MARK: Dense

    public func denseForward(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                             output: Tensor, workspace: DenseWorkspace, activation: FusedActivation) throws {
        try denseForwardLinear(input: input, weights: weights, noise: noise, key: key, output: output, workspace: workspace)
        if activation == .relu {
            let out = output.hostPointer
            parallelFor(output.count) { range in for i in range { out[i] = max(out[i], 0) } }
        }
    }

    public func denseBackward(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor, output: Tensor,
                              workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?, activation: FusedActivation) throws {
        var gradient = gradOutput
        if activation == .relu {
            // The gradient before the fused ReLU: g where the output is positive.
            let y = output.hostPointer, g = gradOutput.hostPointer, masked = workspace.preActivationGradient.hostPointer
            parallelFor(gradOutput.count) { range in for i in range { masked[i] = y[i] > 0 ? g[i] : 0 } }
            gradient = workspace.preActivationGradient
        }
        try denseBackwardLinear(input: input, weights: weights, noise: noise, gradOutput: gradient,
                                workspace: workspace, gradients: gradients, gradInput: gradInput)
    }

    private func denseForwardLinear(input: Tensor, weights: LRTWeights, noise: WeightNoise, key: NoiseKey,
                                    output: Tensor, workspace: DenseWorkspace) throws {
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: output)
        // mean = x·θᵀ straight into the output; the epilogue adds bias and noise in place.
        try gemm(transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
                 alpha: 1, a: input, b: weights.theta, beta: 0, c: output)
        let out = output.hostPointer, bias = weights.bias.hostPointer
        guard noise != .deterministic else {
            parallelFor(batch * outputs) { range in for i in range { out[i] += bias[i % outputs] } }
            return
        }
        let x = input.hostPointer, squared = workspace.inputSquared.hostPointer
        parallelFor(batch * inputs) { range in for i in range { squared[i] = x[i] * x[i] } }
        try gemm(transposeA: false, transposeB: true, m: batch, n: outputs, k: inputs,
                 alpha: 1, a: workspace.inputSquared, b: weights.variance, beta: 0, c: workspace.variance)
        let variance = workspace.variance.hostPointer, noiseScale = workspace.noiseScale.hostPointer
        parallelFor(batch, grain: max(1, 4096 / max(outputs, 1))) { rows in
            for row in rows {
                let start = row * outputs
                noisyEpilogue(key: key, first: key.firstElement(perSample: outputs) + start, count: outputs, mean: out + start, variance: variance + start,
                              bias: bias, biasPerValue: true, relu: false, out: out + start, noiseScale: noiseScale + start)
            }
        }
    }

    /// Uses `workspace.variance` for gv = g⊙noiseScale and `workspace.inputSquared` for gv·σ²
    /// once ∂L/∂σ² has read it.
    private func denseBackwardLinear(input: Tensor, weights: LRTWeights, noise: WeightNoise, gradOutput: Tensor,
                                     workspace: DenseWorkspace, gradients: LRTGradients, gradInput: Tensor?) throws {
        let (batch, inputs, outputs) = OperationShapes.dense(input: input, weights: weights, output: gradOutput)
        let g = gradOutput.hostPointer, gradBias = gradients.bias.hostPointer
        // ∂L/∂b: column sums of g, accumulated row by row so the inner loop runs along memory.
        gradBias.update(repeating: 0, count: outputs)
        for b in 0..<batch {
            let row = g + b * outputs
            for o in 0..<outputs { gradBias[o] += row[o] }
        }
        try gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: batch,
                 alpha: 1, a: gradOutput, b: input, beta: 0, c: gradients.theta)
        if let gradInput {
            try gemm(transposeA: false, transposeB: false, m: batch, n: inputs, k: outputs,
                     alpha: 1, a: gradOutput, b: weights.theta, beta: 0, c: gradInput)
        }
        guard noise != .deterministic else { return }

        let gv = workspace.variance.hostPointer, noiseScale = workspace.noiseScale.hostPointer
        parallelFor(batch * outputs) { range in for i in range { gv[i] = g[i] * noiseScale[i] } }
        try gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: batch,
                 alpha: 1, a: workspace.variance, b: workspace.inputSquared, beta: 0, c: gradients.variance)
        if case .gaussian(let alpha) = noise {
            addGaussianVariancePath(alpha: alpha, theta: weights.theta, gradVariance: gradients.variance, gradTheta: gradients.theta)
        }
        if let gradInput {
            try gemm(transposeA: false, transposeB: false, m: batch, n: inputs, k: outputs,
                     alpha: 1, a: workspace.variance, b: weights.variance, beta: 0, c: workspace.inputSquared)
            let x = input.hostPointer, t = workspace.inputSquared.hostPointer, dx = gradInput.hostPointer
            parallelFor(batch * inputs) { range in for i in range { dx[i] += 2 * x[i] * t[i] } }
        }
    }

    // MARK: Conv

    public func convForward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, key: NoiseKey,
                            output: Tensor, workspace: ConvWorkspace, activation: ConvActivation) throws {
        let relu = activation != .none, pooled = activation == .reluMaxPool
        OperationShapes.conv(input: input, weights: weights, geometry: g, output: output, workspace: workspace, activation: activation)
        let withNoise = noise != .deterministic
        im2col(input.hostPointer, g, workspace.columns.hostPointer, withNoise ? workspace.columnsSquared.hostPointer : nil)
        let positions = g.batch * g.outPlane
        try gemm(transposeA: false, transposeB: false, m: g.outChannels, n: positions, k: g.patchSize,
                 alpha: 1, a: weights.theta, b: workspace.columns, beta: 0, c: workspace.mean)
        if withNoise {
            try gemm(transposeA: false, transposeB: false, m: g.outChannels, n: positions, k: g.patchSize,
                     alpha: 1, a: weights.variance, b: workspace.columnsSquared, beta: 0, c: workspace.variance)
        }
        let mean = workspace.mean.hostPointer, variance = workspace.variance.hostPointer
        let bias = weights.bias.hostPointer, out = output.hostPointer, noiseScale = workspace.noiseScale.hostPointer
        let plane = g.outPlane, channels = g.outChannels
        let argmax = workspace.argmax?.hostPointer, pooledPlane = (g.outHeight / 2) * (g.outWidth / 2)
        // One item per output row (image b, channel o): contiguous in the NCHW output and in the
        // GEMM result [o, b·plane + s], so no index arithmetic per element.
        parallelFor(g.batch * channels, grain: max(1, 4096 / max(plane, 1))) { range in
            for bo in range {
                let b = bo / channels, o = bo % channels
                let row = bo * plane, source = o * positions + b * plane
                let m = mean + source, v = variance + source, shift = bias[o]
                // A fused max-pool reads the activated row from the GEMM result's row, overwritten in place.
                let activated = pooled ? m : out + row
                if withNoise {
                    noisyEpilogue(key: key, first: key.firstElement(perSample: channels * plane) + row, count: plane, mean: m, variance: v, bias: bias + o, biasPerValue: false,
                                  relu: relu, out: activated, noiseScale: noiseScale + row)
                } else {
                    for s in 0..<plane { activated[s] = relu ? max(m[s] + shift, 0) : m[s] + shift }
                }
                if pooled, let argmax {
                    for oy in 0..<(g.outHeight / 2) {
                        let target = bo * pooledPlane + oy * (g.outWidth / 2)
                        maxPoolRow(top: m + 2 * oy * g.outWidth, width: g.outWidth, output: out + target, argmax: argmax + target)
                    }
                }
            }
        }
    }

    /// Uses `workspace.mean` for g in [O, B·Ho·Wo] order, `workspace.variance` for gv likewise, and, once
    /// the weight gradients have read them, `workspace.columns` and `workspace.columnsSquared` for the
    /// column gradients θᵀ·g and (σ²)ᵀ·gv.
    public func convBackward(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, noise: WeightNoise, gradOutput: Tensor,
                             output: Tensor, workspace: ConvWorkspace, gradients: LRTGradients, gradInput: Tensor?,
                             activation: ConvActivation) throws {
        let relu = activation == .relu, y = output.hostPointer, argmax = activation == .reluMaxPool ? workspace.argmax?.hostPointer : nil
        OperationShapes.conv(input: input, weights: weights, geometry: g, output: gradOutput, workspace: workspace, activation: activation)
        let withNoise = noise != .deterministic
        if workspace.sharesColumns {
            // Other layers have used the shared columns since this layer's forward pass.
            im2col(input.hostPointer, g, workspace.columns.hostPointer, withNoise ? workspace.columnsSquared.hostPointer : nil)
        }
        let positions = g.batch * g.outPlane, plane = g.outPlane, channels = g.outChannels
        let grad = gradOutput.hostPointer, noiseScale = workspace.noiseScale.hostPointer
        let rows = workspace.mean.hostPointer, varianceRows = workspace.variance.hostPointer
        // Σ g over each output row (b, o), for ∂L/∂b: eight Float lanes per row, then Double across rows.
        let rowSums = UnsafeMutablePointer<Double>.allocate(capacity: g.batch * channels)
        defer { rowSums.deallocate() }
        let pooledPlane = (g.outHeight / 2) * (g.outWidth / 2)
        parallelFor(g.batch * channels, grain: max(1, 16_384 / max(plane, 1))) { range in
            for bo in range {
                let b = bo / channels, o = bo % channels
                let source = bo * plane, target = o * positions + b * plane
                // The pre-pool gradient of a fused ReLU and max-pool goes straight into its row, read back below.
                var from = UnsafePointer(grad + source)
                if let argmax {
                    maxPoolBackwardPlane(gradOutput: grad + bo * pooledPlane, argmax: argmax + bo * pooledPlane, pooled: y + bo * pooledPlane,
                                         height: g.outHeight, width: g.outWidth, gradInput: rows + target)
                    from = UnsafePointer(rows + target)
                }
                // The gradient before a fused ReLU: zero where its output is not positive.
                var lanes = SIMD8<Float>(), s = 0
                while s + 8 <= plane {
                    var gradient = VectorMath.load(from + s)
                    if relu { gradient = gradient.replacing(with: 0, where: VectorMath.load(y + source + s) .<= 0) }
                    VectorMath.store(gradient, rows + target + s)
                    if withNoise { VectorMath.store(gradient * VectorMath.load(noiseScale + source + s), varianceRows + target + s) }
                    lanes += gradient
                    s += 8
                }
                var sum = Double(lanes.sum())
                while s < plane {
                    let gradient = relu && y[source + s] <= 0 ? 0 : from[s]
                    rows[target + s] = gradient
                    if withNoise { varianceRows[target + s] = gradient * noiseScale[source + s] }
                    sum += Double(gradient)
                    s += 1
                }
                rowSums[bo] = sum
            }
        }
        let gradBias = gradients.bias.hostPointer
        for o in 0..<channels {
            var sum = 0.0
            for b in 0..<g.batch { sum += rowSums[b * channels + o] }
            gradBias[o] = Float(sum)
        }
        try gemm(transposeA: false, transposeB: true, m: channels, n: g.patchSize, k: positions,
                 alpha: 1, a: workspace.mean, b: workspace.columns, beta: 0, c: gradients.theta)
        if withNoise {
            try gemm(transposeA: false, transposeB: true, m: channels, n: g.patchSize, k: positions,
                     alpha: 1, a: workspace.variance, b: workspace.columnsSquared, beta: 0, c: gradients.variance)
            if case .gaussian(let alpha) = noise {
                addGaussianVariancePath(alpha: alpha, theta: weights.theta, gradVariance: gradients.variance, gradTheta: gradients.theta)
            }
        }
        guard let gradInput else { return }
        try gemm(transposeA: true, transposeB: false, m: g.patchSize, n: positions, k: channels,
                 alpha: 1, a: weights.theta, b: workspace.mean, beta: 0, c: workspace.columns)
        if withNoise {
            try gemm(transposeA: true, transposeB: false, m: g.patchSize, n: positions, k: channels,
                     alpha: 1, a: weights.variance, b: workspace.variance, beta: 0, c: workspace.columnsSquared)
        }
        col2im(input: input.hostPointer, g, columns: workspace.columns.hostPointer,
               columnsVariance: withNoise ? workspace.columnsSquared.hostPointer : nil, gradInput: gradInput.hostPointer)
    }

    /// columns[p, n] = x[b, c, oy + ky − pad, ox + kx − pad] (0 outside), and its square when `squares` is given.
    private func im2col(_ x: UnsafeMutablePointer<Float>, _ g: ConvGeometry,
                        _ columns: UnsafeMutablePointer<Float>, _ squares: UnsafeMutablePointer<Float>?) {
        let k = g.kernelSize, pad = g.padding, h = g.height, w = g.width
        let outH = g.outHeight, outW = g.outWidth, plane = g.outPlane, positions = g.batch * plane
        // One item per (row p, image b): a contiguous stretch of Ho·Wo columns.
        parallelFor(g.patchSize * g.batch, grain: max(1, 16_384 / max(plane, 1))) { range in
            for item in range {
                let p = item / g.batch, b = item % g.batch
                let c = p / (k * k), ky = (p / k) % k, kx = p % k
                let image = x + (b * g.inChannels + c) * h * w
                let start = p * positions + b * plane
                // Output columns whose window column kx lands inside the image; zeros around them.
                let oxStart = min(outW, max(0, pad - kx)), oxEnd = max(oxStart, min(outW, w + pad - kx))
                for oy in 0..<outH {
                    let iy = oy + ky - pad
                    let target = columns + start + oy * outW, targetSquares = squares.map { $0 + start + oy * outW }
                    guard iy >= 0 && iy < h else {
                        target.update(repeating: 0, count: outW)
                        targetSquares?.update(repeating: 0, count: outW)
                        continue
                    }
                    let source = image + iy * w + kx - pad
                    if oxStart > 0 || oxEnd < outW {
                        target.update(repeating: 0, count: oxStart)
                        (target + oxEnd).update(repeating: 0, count: outW - oxEnd)
                        targetSquares?.update(repeating: 0, count: oxStart)
                        (targetSquares.map { $0 + oxEnd })?.update(repeating: 0, count: outW - oxEnd)
                    }
                    if let targetSquares {
                        for ox in oxStart..<oxEnd {
                            let v = source[ox]
                            target[ox] = v
                            targetSquares[ox] = v * v
                        }
                    } else {
                        (target + oxStart).update(from: source + oxStart, count: oxEnd - oxStart)
                    }
                }
            }
        }
    }

    /// ∂L/∂x[b, c, y, x] = Σ columns[p, n] + 2x·Σ columnsVariance[p, n] over the windows covering the pixel.
    ///
    /// One item per input channel c, which owns the planes (·, c) of every image, so the sums can be
    /// scattered: the item reads its k·k column rows each from start to end, in memory order (reading
    /// them image by image instead jumped between rows and ran at the speed of memory latency).
    private func col2im(input x: UnsafeMutablePointer<Float>, _ g: ConvGeometry, columns: UnsafeMutablePointer<Float>,
                        columnsVariance: UnsafeMutablePointer<Float>?, gradInput: UnsafeMutablePointer<Float>) {
        let k = g.kernelSize, pad = g.padding, h = g.height, w = g.width
        let outH = g.outHeight, outW = g.outWidth, plane = g.outPlane, positions = g.batch * plane
        parallelFor(g.inChannels, grain: max(1, 16_384 / max(g.batch * h * w * k * k, 1))) { range in
            // Σ of the variance columns for channel c of every image, before it is multiplied by 2x.
            let varianceSums = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * h * w)
            defer { varianceSums.deallocate() }
            for c in range {
                for b in 0..<g.batch { (gradInput + (b * g.inChannels + c) * h * w).update(repeating: 0, count: h * w) }
                varianceSums.update(repeating: 0, count: g.batch * h * w)
                for ky in 0..<k {
                    // Output rows whose window row ky lands inside the image.
                    let oyStart = max(0, pad - ky), oyEnd = min(outH, h + pad - ky)
                    for kx in 0..<k {
                        let oxStart = max(0, pad - kx), oxEnd = min(outW, w + pad - kx)
                        if oyStart >= oyEnd || oxStart >= oxEnd { continue }
                        let columnRow = ((c * k + ky) * k + kx) * positions
                        for b in 0..<g.batch {
                            let target = gradInput + (b * g.inChannels + c) * h * w, sums = varianceSums + b * h * w
                            for oy in oyStart..<oyEnd {
                                let source = columnRow + b * plane + oy * outW
                                let pixel = (oy + ky - pad) * w + kx - pad
                                let a = columns + source, t = target + pixel
                                for ox in oxStart..<oxEnd { t[ox] += a[ox] }
                                if let columnsVariance {
                                    let v = columnsVariance + source, s = sums + pixel
                                    for ox in oxStart..<oxEnd { s[ox] += v[ox] }
                                }
                            }
                        }
                    }
                }
                if columnsVariance != nil {
                    for b in 0..<g.batch {
                        let offset = (b * g.inChannels + c) * h * w, sums = varianceSums + b * h * w
                        for i in 0..<(h * w) { gradInput[offset + i] += 2 * x[offset + i] * sums[i] }
                    }
                }
            }
        }
    }

    // MARK: Shared

    /// ∂L/∂θ += 2α·θ⊙∂L/∂σ², the variance path of σ² = α·θ².
    private func addGaussianVariancePath(alpha: Float, theta: Tensor, gradVariance: Tensor, gradTheta: Tensor) {
        let t = theta.hostPointer, gv = gradVariance.hostPointer, gt = gradTheta.hostPointer
        parallelFor(theta.count) { range in for i in range { gt[i] += 2 * alpha * t[i] * gv[i] } }
    }
}

/// The local-reparameterization epilogue on `count` values: out = mean + b + r·ε (then max(·, 0) with
/// `relu`) and noiseScale = ε / (2r), with r = √(variance + 1e-8) and ε the normals `first ..< first + count`
/// of `key`. b is `bias[j]` for value j with `biasPerValue`, else `bias[0]` for all. `out` may be `mean`.
///
/// Eight values at a time on SIMD lanes (the square root and the division one by one cost as much as
/// the rest of a conv layer's epilogue); each lane rounds exactly as the scalar formula.
@inline(__always)
private func noisyEpilogue(key: NoiseKey, first: Int, count: Int, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>, biasPerValue: Bool, relu: Bool,
                           out: UnsafeMutablePointer<Float>, noiseScale: UnsafeMutablePointer<Float>) {
    typealias Vector = SIMD8<Float>
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
        guard let normals = buffer.baseAddress else { return }
        var done = 0
        while done < count {
            let length = min(256, count - done)
            key.fillNormals(normals, start: first + done, count: length)
            var j = 0
            while j + 8 <= length {
                let i = done + j, eps = VectorMath.load(normals + j)
                let r = VectorMath.squareRoot(VectorMath.load(variance + i) + 1e-8)
                var y = VectorMath.load(mean + i) + (biasPerValue ? VectorMath.load(bias + i) : Vector(repeating: bias[0])) + r * eps
                if relu { y = y.replacing(with: 0, where: y .< 0) }
                VectorMath.store(y, out + i)
                VectorMath.store(eps / (2 * r), noiseScale + i)
                j += 8
            }
            while j < length {
                let i = done + j, eps = normals[j]
                let r = (variance[i] + 1e-8).squareRoot()
                let y = mean[i] + bias[biasPerValue ? i : 0] + r * eps
                out[i] = relu ? max(y, 0) : y
                noiseScale[i] = eps / (2 * r)
                j += 1
            }
            done += length
        }
    }
}
