extension OpenCLBackend: DataOperations {
    public func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws {
        let rows = output.count / rowSize
        precondition(rows * rowSize == output.count && start + rows <= indices.count, "gather shapes disagree")
        try launch("gather_rows", in: "gather.cl", global: [output.count],
                   source.deviceBuffer, source.deviceOffset, indices.deviceBuffer, indices.deviceOffset, Int32(start),
                   output.deviceBuffer, output.deviceOffset, Int32(rows), Int32(rowSize))
    }
}
