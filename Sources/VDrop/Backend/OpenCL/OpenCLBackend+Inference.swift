/// The inference operations as one kernel launch each (`csr_dense.cl`, `sparse_conv.cl`,
/// `select_columns.cl`), enqueued like every other operation on the backend's in-order queue.
extension OpenCLBackend: InferenceOperations {
    public func selectColumns(input: Tensor, rows: Int, columns: Int, selection: Tensor?, selected: Int,
                              output: Tensor, transposed: Bool) throws {
        InferenceShapes.selectColumns(input: input, rows: rows, columns: columns, selection: selection, selected: selected, output: output)
        guard rows * selected > 0 else { return }
        try inferenceKernels.selectColumns(input: input, selection: selection, output: output, rows: rows, columns: columns,
                                           selected: selected, transposed: transposed)
    }

    public func csrDenseForward(matrix: CSRTensors, bias: Tensor, input: Tensor, batch: Int, output: Tensor, relu: Bool) throws {
        InferenceShapes.csrDense(matrix: matrix, bias: bias, input: input, batch: batch, output: output)
        guard matrix.rows * batch > 0 else { return }
        try inferenceKernels.csrDenseForward(rowStarts: matrix.rowStarts, columns: matrix.columnIndices, values: matrix.values, bias: bias,
                                             x: input, y: output, rows: matrix.rows, batch: batch, relu: relu)
    }

    public func sparseConvForward(filters: CSRTensors, tapOffsets: Tensor, bias: Tensor, input: Tensor, geometry g: ConvGeometry,
                                  output: Tensor, relu: Bool) throws {
        InferenceShapes.sparseConv(filters: filters, tapOffsets: tapOffsets, bias: bias, input: input, geometry: g, output: output)
        guard output.count > 0 else { return }
        try inferenceKernels.sparseConvForward(rowStarts: filters.rowStarts, columns: filters.columnIndices, offsets: tapOffsets, values: filters.values,
                                               bias: bias, x: input, y: output, geometry: g, relu: relu)
    }
}
