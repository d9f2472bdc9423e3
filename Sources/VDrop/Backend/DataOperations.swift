/// Moving samples of a device-resident data set into a batch.
public protocol DataOperations: BackendCore {
    /// output[b, :] = source[indices[start + b], :] for b in 0..<output rows, where `source` is
    /// [N, D], `output` [B, D] (any shapes with those counts) and `indices` holds sample numbers
    /// as Float (exact below 2²⁴, so data sets up to 16.7 million samples).
    func gatherRows(source: Tensor, rowSize: Int, indices: Tensor, start: Int, output: Tensor) throws

    /// output[b, j] = byte[indices[start + b], j]·normalization[c] + normalization[C + c] with
    /// c = (j / channelSize) mod C: samples of `rowSize` bytes, packed four to a slot of `source`
    /// (see ``BackendCore/uploadBytes(_:to:)``), normalized per channel as they are gathered.
    /// `normalization` holds the C scales, then the C shifts.
    func gatherNormalizedBytes(source: Tensor, rowSize: Int, channelSize: Int, normalization: Tensor,
                               indices: Tensor, start: Int, output: Tensor) throws
}
