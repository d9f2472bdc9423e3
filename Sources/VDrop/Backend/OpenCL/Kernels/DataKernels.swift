/// Host side of `Kernels/gather.cl`.
struct DataKernels {
    let backend: OpenCLBackend

    /// `gather_rows`: output row r = source row indices[start + r], one work item per value.
    func gatherRows(source: Tensor, indices: Tensor, start: Int, output: Tensor, rows: Int, rowSize: Int) throws {
        try backend.launch("gather_rows", in: "gather.cl", global: [output.count],
                           source, indices, Int32(start), output, Int32(rows), Int32(rowSize))
    }

    /// `gather_normalized_bytes`: like `gather_rows` from a byte tensor, each byte b of channel c
    /// written as b·norm[c] + norm[channels + c].
    func gatherNormalizedBytes(source: Tensor, indices: Tensor, start: Int, norm: Tensor, channels: Int, channelSize: Int,
                               output: Tensor, rows: Int, rowSize: Int) throws {
        try backend.launch("gather_normalized_bytes", in: "gather.cl", global: [output.count],
                           BytesOf(source), indices, Int32(start), norm, Int32(channels), Int32(channelSize),
                           output, Int32(rows), Int32(rowSize))
    }
}

extension OpenCLBackend {
    var dataKernels: DataKernels { DataKernels(backend: self) }
}
