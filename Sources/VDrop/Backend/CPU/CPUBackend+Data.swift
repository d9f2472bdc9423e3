extension CPUBackend: DataOperations {
    public func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws {
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start)
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

extension CPUBackend {
    public func gatherNormalizedBytes(source: Tensor, rowSize: Int, channelSize: Int, normalization: Tensor,
                                      indices: Tensor, start: Int, output: Tensor) throws {
        let channels = normalization.count / 2
        let rows = OperationShapes.gather(output: output, rowSize: rowSize, indices: indices, start: start,
                                          channels: channels, channelSize: channelSize)
        let bytes = UnsafeRawPointer(source.hostPointer).assumingMemoryBound(to: UInt8.self)
        let idx = indices.hostPointer + start, out = output.hostPointer, norm = normalization.hostPointer
        parallelFor(rows, grain: max(1, 16_384 / max(rowSize, 1))) { range in
            for b in range {
                let sample = Int(idx[b])
                precondition(sample >= 0 && (sample + 1) * rowSize <= 4 * source.count, "gather index \(sample) outside the data set")
                let row = bytes + sample * rowSize, target = out + b * rowSize
                for c in 0..<channels {
                    let scale = norm[c], shift = norm[channels + c], base = c * channelSize
                    for j in base..<(base + channelSize) { target[j] = Float(row[j]) * scale + shift }
                }
            }
        }
    }
}
