extension InferenceModel {
    /// The logits of `count` samples (`samples`: count × sample size, normalized as the network
    /// sees them, e.g. `Dataset.images`), computed the plainest way: loops over every weight,
    /// sums in Double. The reference the fast paths (dense, CSR, compact, both backends) and the
    /// exported files are checked against; not meant to be fast.
    public func referenceLogits(samples: [Float], count: Int) -> [Float] {
        let sampleSize = sampleShape.reduce(1, *)
        precondition(samples.count == count * sampleSize, "samples hold \(samples.count) values, not \(count) × \(sampleSize)")
        var logits: [Float] = []
        logits.reserveCapacity(count * classes)
        for n in 0..<count {
            let sample = samples[(n * sampleSize)..<((n + 1) * sampleSize)]
            var x = inputSelection.map { $0.map { sample[sample.startIndex + $0] } } ?? Array(sample)
            var shape = stageInputShape
            for (stage, outputShape) in zip(stages, stageOutputShapes) {
                x = Self.referenceForward(stage, x, inputShape: shape, outputShape: outputShape)
                shape = outputShape
            }
            logits += x
        }
        return logits
    }

    /// The predicted class of each sample (the first of equal largest logits).
    public func referencePredictions(samples: [Float], count: Int) -> [Int] {
        Self.argmaxRows(referenceLogits(samples: samples, count: count), columns: classes)
    }

    /// Each row's first largest value's column: what every path reports as its prediction.
    public static func argmaxRows(_ values: [Float], columns: Int) -> [Int] {
        stride(from: 0, to: values.count, by: columns).map { start in
            var best = start
            for i in start..<(start + columns) where values[i] > values[best] { best = i }
            return best - start
        }
    }

    private static func referenceForward(_ stage: Stage, _ x: [Float], inputShape: [Int], outputShape: [Int]) -> [Float] {
        switch stage {
        case .dense(let d):
            return (0..<d.outputs).map { o in
                var sum = Double(d.bias[o])
                for i in 0..<d.inputs { sum += Double(d.weight[o * d.inputs + i]) * Double(x[i]) }
                return Float(sum)
            }
        case .conv(let c):
            let (h, w) = (inputShape[1], inputShape[2])
            let (outH, outW) = (outputShape[1], outputShape[2])
            let k = c.kernelSize
            var y = [Float](repeating: 0, count: c.outChannels * outH * outW)
            for o in 0..<c.outChannels {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var sum = Double(c.bias[o])
                        for i in 0..<c.inChannels {
                            for ky in 0..<k {
                                let iy = oy + ky - c.padding
                                guard iy >= 0 && iy < h else { continue }
                                for kx in 0..<k {
                                    let ix = ox + kx - c.padding
                                    guard ix >= 0 && ix < w else { continue }
                                    sum += Double(c.weight[((o * c.inChannels + i) * k + ky) * k + kx]) * Double(x[(i * h + iy) * w + ix])
                                }
                            }
                        }
                        y[(o * outH + oy) * outW + ox] = Float(sum)
                    }
                }
            }
            return y
        case .relu:
            return x.map { max($0, 0) }
        case .maxPool:
            let (h, w) = (inputShape[1], inputShape[2])
            let (outH, outW) = (outputShape[1], outputShape[2])
            var y = [Float](repeating: 0, count: inputShape[0] * outH * outW)
            for c in 0..<inputShape[0] {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let base = (c * h + 2 * oy) * w + 2 * ox
                        y[(c * outH + oy) * outW + ox] = max(max(x[base], x[base + 1]), max(x[base + w], x[base + w + 1]))
                    }
                }
            }
            return y
        case .batchNorm(let b):
            let plane = x.count / b.channels
            return x.indices.map { index in
                let c = index / plane
                let normalized = (Double(x[index]) - Double(b.mean[c])) / (Double(b.variance[c]) + Double(b.epsilon)).squareRoot()
                return Float(normalized * Double(b.gamma[c]) + Double(b.beta[c]))
            }
        }
    }
}
