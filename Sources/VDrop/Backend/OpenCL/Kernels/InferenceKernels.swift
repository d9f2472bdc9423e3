/// Host side of `Kernels/csr_dense.cl`, `Kernels/sparse_conv.cl` and `Kernels/select_columns.cl`.
struct InferenceKernels {
    let backend: OpenCLBackend

    /// `csr_dense_forward`, one work item per output value y[o, b].
    func csrDenseForward(rowStarts: Tensor, columns: Tensor, values: Tensor, bias: Tensor, x: Tensor, y: Tensor,
                         rows: Int, batch: Int, relu: Bool) throws {
        try backend.launch("csr_dense_forward", in: "csr_dense.cl", global: [rows * batch],
                           rowStarts, columns, values, bias, x, y, Int32(rows), Int32(batch), relu)
    }

    /// `sparse_conv_forward`, one work item per output value (NCHW).
    func sparseConvForward(rowStarts: Tensor, columns: Tensor, offsets: Tensor, values: Tensor, bias: Tensor, x: Tensor, y: Tensor,
                           geometry g: ConvGeometry, relu: Bool) throws {
        try backend.launch("sparse_conv_forward", in: "sparse_conv.cl", global: [g.outputShape.reduce(1, *)],
                           rowStarts, columns, offsets, values, bias, x, y,
                           Int32(g.batch), Int32(g.inChannels), Int32(g.height), Int32(g.width), Int32(g.outChannels),
                           Int32(g.kernelSize), Int32(g.padding), Int32(g.outHeight), Int32(g.outWidth), relu)
    }

    /// `select_columns`, one work item per output value; without a selection the input stands in
    /// for the never-read selection buffer.
    func selectColumns(input: Tensor, selection: Tensor?, output: Tensor, rows: Int, columns: Int, selected: Int, transposed: Bool) throws {
        try backend.launch("select_columns", in: "select_columns.cl", global: [rows * selected],
                           input, selection ?? input, selection != nil, output,
                           Int32(rows), Int32(columns), Int32(selected), transposed)
    }
}

extension OpenCLBackend {
    var inferenceKernels: InferenceKernels { InferenceKernels(backend: self) }
}
