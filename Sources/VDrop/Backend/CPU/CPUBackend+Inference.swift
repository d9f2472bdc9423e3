/// The inference operations on the host, with what a batch of one needs most: no allocation,
/// and no thread hand-off unless a call holds enough multiply-adds to pay for one
/// (``CPUBackend/inferenceGrain``).
extension CPUBackend: InferenceOperations {
    /// Multiply-adds below which an inference operation stays on the calling thread: a
    /// `concurrentPerform` hand-off costs some 10–20 µs here, the time of ~50k multiply-adds.
    static let inferenceGrain = 65_536

    /// `parallelFor` over `items` items of `work` multiply-adds in all, single-threaded below the grain.
    private func parallelInference(_ items: Int, work: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(items, grain: max(1, Int((Double(items) * Double(Self.inferenceGrain) / Double(max(work, 1))).rounded(.up))), body)
    }

    public func selectColumns(input: Tensor, rows: Int, columns: Int, selection: Tensor?, selected: Int,
                              output: Tensor, transposed: Bool) throws {
        InferenceShapes.selectColumns(input: input, rows: rows, columns: columns, selection: selection, selected: selected, output: output)
        let x = input.hostPointer, y = output.hostPointer, s = selection?.hostInt32Pointer
        for b in 0..<rows {
            let row = x + b * columns
            for j in 0..<selected {
                let value = row[s.map { Int($0[j]) } ?? j]
                y[transposed ? j * rows + b : b * selected + j] = value
            }
        }
    }

    public func csrDenseForward(matrix: CSRTensors, bias: Tensor, input: Tensor, batch: Int, output: Tensor, relu: Bool) throws {
        InferenceShapes.csrDense(matrix: matrix, bias: bias, input: input, batch: batch, output: output)
        let starts = matrix.rowStarts.hostInt32Pointer, columns = matrix.columnIndices.hostInt32Pointer
        let values = matrix.values.hostPointer, b = bias.hostPointer, x = input.hostPointer, y = output.hostPointer
        parallelInference(matrix.rows, work: matrix.nonZeroCount * batch) { rows in
            for o in rows {
                let start = Int(starts[o]), end = Int(starts[o + 1])
                if batch == 1 {
                    // One sample: a gathered dot product, four partial sums to hide the add latency.
                    var s0 = b[o], s1: Float = 0, s2: Float = 0, s3: Float = 0
                    var j = start
                    while j + 4 <= end {
                        s0 += values[j] * x[Int(columns[j])]
                        s1 += values[j + 1] * x[Int(columns[j + 1])]
                        s2 += values[j + 2] * x[Int(columns[j + 2])]
                        s3 += values[j + 3] * x[Int(columns[j + 3])]
                        j += 4
                    }
                    while j < end { s0 += values[j] * x[Int(columns[j])]; j += 1 }
                    let sum = (s0 + s1) + (s2 + s3)
                    y[o] = relu ? max(sum, 0) : sum
                } else {
                    // y[o, :] = bias + Σ w·x[col, :]: whole batch rows, eight lanes at a time.
                    let target = y + o * batch
                    target.update(repeating: b[o], count: batch)
                    for j in start..<end {
                        axpy(values[j], x + Int(columns[j]) * batch, target, count: batch)
                    }
                    if relu { for i in 0..<batch { target[i] = max(target[i], 0) } }
                }
            }
        }
    }

    public func sparseConvForward(filters: CSRTensors, bias: Tensor, input: Tensor, geometry g: ConvGeometry, output: Tensor, relu: Bool) throws {
        InferenceShapes.sparseConv(filters: filters, bias: bias, input: input, geometry: g, output: output)
        let starts = filters.rowStarts.hostInt32Pointer, columns = filters.columnIndices.hostInt32Pointer
        let values = filters.values.hostPointer, b = bias.hostPointer, x = input.hostPointer, y = output.hostPointer
        let k = g.kernelSize, p = g.padding, taps = k * k, plane = g.outPlane, inPlane = g.height * g.width
        parallelInference(g.batch * g.outChannels, work: filters.nonZeroCount * g.batch * plane) { planes in
            for bo in planes {
                let image = bo / g.outChannels, o = bo % g.outChannels
                let target = y + bo * plane
                target.update(repeating: b[o], count: plane)
                for j in Int(starts[o])..<Int(starts[o + 1]) {
                    let c = Int(columns[j]), w = values[j]
                    let channel = c / taps, dy = (c % taps) / k, dx = c % k
                    // The output rows and columns whose tap lands inside the input.
                    let firstRow = max(0, p - dy), endRow = min(g.outHeight, g.height + p - dy)
                    let firstColumn = max(0, p - dx), endColumn = min(g.outWidth, g.width + p - dx)
                    guard firstRow < endRow && firstColumn < endColumn else { continue }
                    let source = x + (image * g.inChannels + channel) * inPlane
                    for oy in firstRow..<endRow {
                        axpy(w, source + (oy + dy - p) * g.width + firstColumn + dx - p, target + oy * g.outWidth + firstColumn,
                             count: endColumn - firstColumn)
                    }
                }
                if relu { for i in 0..<plane { target[i] = max(target[i], 0) } }
            }
        }
    }
}

/// y[i] += a·x[i] for i < count, eight lanes at a time.
@inline(__always)
private func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let lanes = SIMD8<Float>(repeating: a)
    while i + 8 <= count {
        VectorMath.store(VectorMath.load(UnsafePointer(y + i)) + lanes * VectorMath.load(x + i), y + i)
        i += 8
    }
    while i < count { y[i] += a * x[i]; i += 1 }
}

extension Tensor {
    /// The tensor's values as Int32 bit patterns (see ``CSRTensors``). Only for CPU tensors.
    var hostInt32Pointer: UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(hostPointer).assumingMemoryBound(to: Int32.self)
    }
}
