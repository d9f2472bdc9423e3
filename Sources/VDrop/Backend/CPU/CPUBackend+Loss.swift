import Foundation

/// Softmax cross-entropy and the sum on the host, as `Kernels/cross_entropy.cl`
/// and `Kernels/reduce_sum.cl` compute them.
extension CPUBackend: LossOperations {
    public func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradScale: Float, gradLogits: Tensor?,
                                    rowLoss: Tensor, rowCorrect: Tensor) throws {
        let (rows, classes) = OperationShapes.crossEntropy(logits: logits, labels: labels, gradLogits: gradLogits,
                                                           rowLoss: rowLoss, rowCorrect: rowCorrect)
        let z = logits.hostPointer, y = labels.hostPointer, loss = rowLoss.hostPointer, correct = rowCorrect.hostPointer
        let grad = gradLogits?.hostPointer
        parallelFor(rows, grain: max(1, 16_384 / classes)) { rowRange in
            for b in rowRange {
                let row = z + b * classes
                let labelValue = y[b]
                // A label outside 0…K−1 gives a NaN loss, as on the device: visible, never an out-of-bounds read.
                let valid = labelValue >= 0 && labelValue < Float(classes)
                let label = valid ? Int(labelValue) : -1
                var m = row[0], first = 0
                for k in 1..<classes where row[k] > m { m = row[k]; first = k }
                var total: Float = 0
                for k in 0..<classes { total += exp(row[k] - m) }
                // m − z_y first, as the kernel does: rounded relative to the loss, not to a large m.
                loss[b] = valid ? (m - row[label]) + log(total) : .nan
                correct[b] = valid && first == label ? 1 : 0
                if let grad {
                    let out = grad + b * classes, inverse = 1 / total
                    for k in 0..<classes { out[k] = gradScale * (exp(row[k] - m) * inverse - (k == label ? 1 : 0)) }
                }
            }
        }
    }

    public func sum(_ input: Tensor, into output: Tensor) throws {
        precondition(output.count == 1, "a sum goes into one value, not \(output)")
        let x = input.hostPointer, count = input.count
        // Fixed chunks summed in Double, then added in chunk order: the same bits on every run
        // whatever the thread count, and exact to Float rounding of the result.
        let chunk = 65_536
        let chunks = (count + chunk - 1) / chunk
        var partials = [Double](repeating: 0, count: max(chunks, 1))
        partials.withUnsafeMutableBufferPointer { partial in
            let partialBase = partial.baseAddress!
            parallelFor(chunks, grain: 1) { chunkRange in
                for index in chunkRange {
                    var total = 0.0
                    for i in (index * chunk)..<min(count, (index + 1) * chunk) { total += Double(x[i]) }
                    partialBase[index] = total
                }
            }
        }
        output.hostPointer[0] = Float(partials.reduce(0, +))
    }
}
