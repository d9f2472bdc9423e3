/// Host side of `Kernels/gather.cl`.
struct DataKernels {
    let backend: OpenCLBackend

    /// `gather_rows`: output row r = source row indices[start + r], one work item per value.
    /// With several `indices` and `outputs` (seed s's at s, each list at a fixed stride in one
    /// buffer), every seed's rows from the one `source` in one launch.
    func gatherRows(source: Tensor, indices: [Tensor], start: Int, outputs: [Tensor], rows: Int, rowSize: Int) throws {
        try backend.launch("gather_rows", in: "gather.cl", global: seedGrid(outputs), local: seedGroups(outputs),
                           source, SeedStrided(indices, backend: backend), Int32(start), SeedStrided(outputs, backend: backend),
                           Int32(rows), Int32(rowSize))
    }

    func gatherRows(source: Tensor, indices: Tensor, start: Int, output: Tensor, rows: Int, rowSize: Int) throws {
        try gatherRows(source: source, indices: [indices], start: start, outputs: [output], rows: rows, rowSize: rowSize)
    }

    /// One item per value of a seed's output; the seeds along the second dimension (when several).
    private func seedGrid(_ outputs: [Tensor]) -> [Int] { outputs.count == 1 ? [outputs[0].count] : [outputs[0].count, outputs.count] }
    private func seedGroups(_ outputs: [Tensor]) -> [Int]? {
        outputs.count == 1 ? nil : [min(OpenCLBackend.elementwiseGroupSize, backend.device.maxWorkGroupSize), 1]
    }

    /// `gather_normalized_bytes`: like `gather_rows` from a byte tensor, each byte b of channel c
    /// written as b·norm[c] + norm[channels + c].
    /// With several `indices` and `outputs`: every seed's batch in one launch, as ``gatherRows(source:indices:start:outputs:rows:rowSize:)``.
    func gatherNormalizedBytes(source: Tensor, indices: [Tensor], start: Int, norm: Tensor, channels: Int, channelSize: Int,
                               outputs: [Tensor], rows: Int, rowSize: Int) throws {
        try backend.launch("gather_normalized_bytes", in: "gather.cl", global: seedGrid(outputs), local: seedGroups(outputs),
                           BytesOf(source), SeedStrided(indices, backend: backend), Int32(start), norm, Int32(channels), Int32(channelSize),
                           SeedStrided(outputs, backend: backend), Int32(rows), Int32(rowSize))
    }

    func gatherNormalizedBytes(source: Tensor, indices: Tensor, start: Int, norm: Tensor, channels: Int, channelSize: Int,
                               output: Tensor, rows: Int, rowSize: Int) throws {
        try gatherNormalizedBytes(source: source, indices: [indices], start: start, norm: norm, channels: channels,
                                  channelSize: channelSize, outputs: [output], rows: rows, rowSize: rowSize)
    }
}

extension OpenCLBackend {
    var dataKernels: DataKernels { DataKernels(backend: self) }
}
