import CVectorLoops

/// The inference operations on the host, with what a batch of one needs most: no allocation,
/// and no thread hand-off unless a call holds enough multiply-adds to pay for one
/// (``CPUBackend/inferenceGrain``).
extension CPUBackend: InferenceOperations {
    /// Multiply-adds below which an inference operation stays on the calling thread. A
    /// `concurrentPerform` hand-off costs some 10–20 µs here, and a sparse product is bound by
    /// loading its inputs, which a second core must first bring into its own cache: LeNet-300's
    /// first layer at batch 100 (386k multiply-adds) took 0.17 ms on one core and 0.17 or 0.38 ms
    /// (by process) split over two.
    static let inferenceGrain = 1 << 20

    /// `parallelFor` over `items` items of `work` multiply-adds in all, single-threaded below the grain.
    private func parallelInference(_ items: Int, work: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(items, grain: max(1, Int((Double(items) * Double(Self.inferenceGrain) / Double(max(work, 1))).rounded(.up))), body)
    }

    public func selectColumns(input: Tensor, rows: Int, columns: Int, selection: Tensor?, selected: Int,
                              output: Tensor, transposed: Bool) throws {
        InferenceShapes.selectColumns(input: input, rows: rows, columns: columns, selection: selection, selected: selected, output: output)
        let x = input.hostPointer, y = output.hostPointer, s = selection?.hostInt32Pointer
        // 16 × 16 blocks: a transposed write then stays within a few cache lines per block.
        let block = 16
        for b0 in stride(from: 0, to: rows, by: block) {
            for j0 in stride(from: 0, to: selected, by: block) {
                for b in b0..<min(b0 + block, rows) {
                    let row = x + b * columns
                    for j in j0..<min(j0 + block, selected) {
                        let value = s.map { row[Int($0[j])] } ?? row[j]
                        y[transposed ? j * rows + b : b * selected + j] = value
                    }
                }
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
                    // y[o, :] = bias + Σ w·x[col, :]: whole batch rows, the sums kept in registers
                    // across the row's non-zeros and stored once. (An axpy per non-zero loads and
                    // stores y each time, and those stores, against the loads of x, made the batch
                    // twice as slow in some processes as in others.)
                    let target = y + o * batch
                    tapSum(x, offsets: columns + start, stride: batch, weights: values + start, taps: end - start,
                           bias: b[o], into: target, count: batch)
                    if relu { for i in 0..<batch { target[i] = max(target[i], 0) } }
                }
            }
        }
    }

    public func sparseConvForward(filters: CSRTensors, tapOffsets: Tensor, bias: Tensor, input: Tensor, geometry g: ConvGeometry,
                                  output: Tensor, relu: Bool) throws {
        InferenceShapes.sparseConv(filters: filters, tapOffsets: tapOffsets, bias: bias, input: input, geometry: g, output: output)
        let starts = filters.rowStarts.hostInt32Pointer, columns = filters.columnIndices.hostInt32Pointer
        let values = filters.values.hostPointer, b = bias.hostPointer, x = input.hostPointer, y = output.hostPointer
        let k = g.kernelSize, p = g.padding, taps = k * k, plane = g.outPlane, inPlane = g.height * g.width
        // Without padding every tap (dy, dx) reads the input at a fixed offset dy·W + dx from the
        // output position taken in the input's row stride: the plane is then one long run per tap
        // ("wide" rows of W values, the last W − outW of each row thrown away), a single long
        // SIMD axpy instead of outH short ones, the shape that wins on LeNet-5's 8 × 8 planes.
        var wide = p == 0 ? (g.outHeight - 1) * g.width + g.outWidth : 0
        // Rounded up to whole eight-lane vectors when the input's storage has room past its end
        // (the engine leaves some): the extra lanes read past the last window and are thrown away.
        if wide > 0 && input.storage.capacity - input.offset - input.count >= 8 { wide = (wide + 7) / 8 * 8 }
        let offsets = tapOffsets.hostInt32Pointer
        parallelInference(g.batch * g.outChannels, work: filters.nonZeroCount * g.batch * plane) { planes in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(wide, 1)) { scratch in
                let accumulator = scratch.baseAddress!
                for bo in planes {
                    let image = bo / g.outChannels, o = bo % g.outChannels
                    let target = y + bo * plane
                    let rowStart = Int(starts[o]), rowEnd = Int(starts[o + 1])
                    if wide > 0 {
                        tapSum(x + image * g.inChannels * inPlane, offsets: offsets + rowStart, weights: values + rowStart,
                               taps: rowEnd - rowStart, bias: b[o], into: accumulator, count: wide)
                        for oy in 0..<g.outHeight {
                            (target + oy * g.outWidth).update(from: accumulator + oy * g.width, count: g.outWidth)
                        }
                    } else {
                        target.update(repeating: b[o], count: plane)
                        for j in rowStart..<rowEnd {
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
                    }
                    if relu { for i in 0..<plane { target[i] = max(target[i], 0) } }
                }
            }
        }
    }
}

/// Whether this processor (and its operating system) runs AVX2 with FMA: `vdrop_axpy_avx2` then.
private let axpyUsesAVX2: Bool = {
    #if arch(x86_64)
    return CPUFeatures.current.map { $0.avx2 && $0.fma } ?? false
    #else
    return false
    #endif
}()

/// y[i] += a·x[i] for i < count: AVX2 + FMA where the processor has them (see `vector_loops.h`),
/// else eight Swift SIMD lanes at a time.
@inline(__always)
private func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    #if arch(x86_64)
    if axpyUsesAVX2 { vdrop_axpy_avx2(a, x, y, count); return }
    #endif
    var i = 0
    let lanes = SIMD8<Float>(repeating: a)
    while i + 8 <= count {
        VectorMath.store(VectorMath.load(UnsafePointer(y + i)) + lanes * VectorMath.load(x + i), y + i)
        i += 8
    }
    while i < count { y[i] += a * x[i]; i += 1 }
}

/// y[i] = bias + Σₜ weights[t]·x[offsets[t]·stride + i] for i < count: `vdrop_tap_sum_avx2` where
/// the processor has AVX2 and FMA, else one ``axpy(_:_:_:count:)`` per tap.
@inline(__always)
private func tapSum(_ x: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, stride: Int = 1, weights: UnsafePointer<Float>, taps: Int,
                    bias: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
    #if arch(x86_64)
    if axpyUsesAVX2 { vdrop_tap_sum_avx2(x, offsets, stride, weights, taps, bias, y, count); return }
    #endif
    y.update(repeating: bias, count: count)
    for t in 0..<taps { axpy(weights[t], x + Int(offsets[t]) * stride, y, count: count) }
}

extension Tensor {
    /// The tensor's values as Int32 bit patterns (see ``CSRTensors``). Only for CPU tensors.
    var hostInt32Pointer: UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(hostPointer).assumingMemoryBound(to: Int32.self)
    }
}
