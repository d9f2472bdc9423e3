extension OpenCLBackend: DataOperations {
    public func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws {
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start)
        try launch("gather_rows", in: "gather.cl", global: [output.count],
                   source.deviceBuffer, source.deviceOffset, indices.deviceBuffer, indices.deviceOffset, Int32(start),
                   output.deviceBuffer, output.deviceOffset, Int32(rows), Int32(rowSize))
    }
}

extension OpenCLBackend {
    public func gatherNormalizedBytes(source: Tensor, rowSize: Int, channelSize: Int, normalization: Tensor,
                                      indices: Tensor, start: Int, output: Tensor) throws {
        let channels = normalization.count / 2
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start,
                                          channels: channels, channelSize: channelSize)
        try launch("gather_normalized_bytes", in: "gather.cl", global: [output.count],
                   source.deviceBuffer, Int32(source.offset * 4), indices.deviceBuffer, indices.deviceOffset, Int32(start),
                   normalization.deviceBuffer, normalization.deviceOffset, Int32(channels), Int32(channelSize),
                   output.deviceBuffer, output.deviceOffset, Int32(rows), Int32(rowSize))
    }
}
