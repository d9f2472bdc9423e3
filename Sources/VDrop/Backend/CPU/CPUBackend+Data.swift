extension CPUBackend: DataOperations {
    public func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws {
        let rows = output.count / rowSize
        precondition(rows * rowSize == output.count && start + rows <= indices.count, "gather shapes disagree")
        let src = source.hostPointer, idx = indices.hostPointer + start, out = output.hostPointer
        parallelFor(rows, grain: max(1, 16_384 / max(rowSize, 1))) { range in
            for b in range {
                let sample = Int(idx[b])
                precondition(sample >= 0 && (sample + 1) * rowSize <= source.count, "gather index \(sample) outside the data set")
                (out + b * rowSize).update(from: src + sample * rowSize, count: rowSize)
            }
        }
    }
}
