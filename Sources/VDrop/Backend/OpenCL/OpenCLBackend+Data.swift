extension OpenCLBackend: DataOperations {
    public func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws {
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start)
        try dataKernels.gatherRows(source: source, indices: indices, start: start, output: output, rows: rows, rowSize: rowSize)
    }
}

extension OpenCLBackend {
    public func gatherNormalizedBytes(source: Tensor, rowSize: Int, channelSize: Int, normalization: Tensor,
                                      indices: Tensor, start: Int, output: Tensor) throws {
        let channels = normalization.count / 2
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start,
                                          channels: channels, channelSize: channelSize)
        try dataKernels.gatherNormalizedBytes(source: source, indices: indices, start: start, norm: normalization, channels: channels,
                                              channelSize: channelSize, output: output, rows: rows, rowSize: rowSize)
    }
}
