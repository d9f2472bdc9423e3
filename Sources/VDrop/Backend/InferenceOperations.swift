/// A ``CSRMatrix`` on a backend: its row offsets and column indices as Int32 bit patterns
/// (one per Float32 slot, so the kernels read them as `int *` and the host as `Int32`), its
/// values as Float32. Uploaded once when an inference engine is built.
public struct CSRTensors {
    public let rows: Int
    public let columns: Int
    /// rows + 1 Int32 offsets.
    public let rowStarts: Tensor
    /// One Int32 column per non-zero.
    public let columnIndices: Tensor
    public let values: Tensor

    public init(_ matrix: CSRMatrix, backend: BackendCore) throws {
        precondition(matrix.values.count <= Int(Int32.max), "a CSR matrix indexed with int32 holds at most 2³¹ − 1 values")
        rows = matrix.rows
        columns = matrix.columns
        rowStarts = try Self.int32Tensor(matrix.rowStarts, backend: backend)
        columnIndices = try Self.int32Tensor(matrix.columnIndices, backend: backend)
        values = try backend.allocate([matrix.values.count])
        if !matrix.values.isEmpty { try backend.upload(matrix.values, to: values) }
    }

    public var nonZeroCount: Int { values.count }

    /// For a conv's filters [out, in·k·k] over inputs of `height` × `width`: each non-zero tap's
    /// offset in its image's input from the output position's top-left read, channel·H·W + dy·W + dx.
    /// Uploaded beside the filters (Int32), so a sparse convolution decodes no tap per output.
    public static func tapOffsets(_ filters: CSRMatrix, kernelSize k: Int, height: Int, width: Int) -> [Int] {
        filters.columnIndices.map { c in (c / (k * k)) * height * width + ((c % (k * k)) / k) * width + c % k }
    }

    /// Integers stored as Int32 bit patterns in a Float32 tensor of the same count.
    static func int32Tensor(_ integers: [Int], backend: BackendCore) throws -> Tensor {
        let tensor = try backend.allocate([integers.count])
        if integers.isEmpty { return tensor }
        let words = integers.map { Int32(truncatingIfNeeded: $0) }
        try backend.uploadBytes(words.withUnsafeBytes { Array($0) }, to: tensor)
        return tensor
    }
}

/// The operations only inference needs, beside the training layers' deterministic forward
/// passes (which the dense path reuses): the CSR product of a dense layer, the sparse-filter
/// convolution, and the input gather/transpose.
///
/// The CSR products read and write activations feature-major, [features, batch]: a sparse row
/// then meets whole rows of the batch (SIMD along the batch on the host, neighbouring work
/// items on a device), where the sample-major layout would gather one value per non-zero.
public protocol InferenceOperations: BackendCore {
    /// output = input[b, s(j)] for b < `rows`, j < `selected`, s(j) = `selection`[j] (Int32, see
    /// ``CSRTensors``) or j when nil; input is [rows, columns] row-major; output [rows, selected],
    /// or [selected, rows] when `transposed`.
    func selectColumns(input: Tensor, rows: Int, columns: Int, selection: Tensor?, selected: Int,
                       output: Tensor, transposed: Bool) throws

    /// y[o, b] = act(bias[o] + Σⱼ W[o, j]·x[j, b]) with W in CSR [out, in], x [in, batch] and y [out, batch]
    /// (feature-major); act = max(·, 0) with `relu`, so a ReLU costs no pass of its own.
    func csrDenseForward(matrix: CSRTensors, bias: Tensor, input: Tensor, batch: Int, output: Tensor, relu: Bool) throws

    /// y[b, o, oy, ox] = act(bias[o] + Σ over o's non-zero taps (i, dy, dx, w) of w·x[b, i, oy+dy−p, ox+dx−p]),
    /// `filters` in CSR [out, in·k·k], `tapOffsets` their ``CSRTensors/tapOffsets(_:kernelSize:height:width:)`` (Int32);
    /// input `geometry.inputShape`, output `geometry.outputShape` (NCHW).
    func sparseConvForward(filters: CSRTensors, tapOffsets: Tensor, bias: Tensor, input: Tensor, geometry: ConvGeometry,
                           output: Tensor, relu: Bool) throws
}

enum InferenceShapes {
    static func csrDense(matrix: CSRTensors, bias: Tensor, input: Tensor, batch: Int, output: Tensor) {
        precondition(bias.count == matrix.rows && input.count == matrix.columns * batch && output.count == matrix.rows * batch,
                     "CSR product shapes disagree: W \(matrix.rows)×\(matrix.columns), batch \(batch), input \(input), output \(output)")
    }

    static func sparseConv(filters: CSRTensors, tapOffsets: Tensor, bias: Tensor, input: Tensor, geometry g: ConvGeometry, output: Tensor) {
        precondition(filters.rows == g.outChannels && tapOffsets.count == filters.nonZeroCount && filters.columns == g.patchSize && bias.count == g.outChannels
                     && input.count == g.inputShape.reduce(1, *) && output.count == g.outputShape.reduce(1, *),
                     "sparse conv shapes disagree with \(g): filters \(filters.rows)×\(filters.columns), input \(input), output \(output)")
    }

    static func selectColumns(input: Tensor, rows: Int, columns: Int, selection: Tensor?, selected: Int, output: Tensor) {
        precondition(input.count >= rows * columns && output.count == rows * selected && (selection?.count ?? columns) == selected,
                     "column selection shapes disagree: input \(input), \(rows)×\(columns) → \(selected), output \(output)")
    }
}
