// The shape rules of the activation operations, checked the same way by every backend.

/// How max-pooling reads its tensors: input [B, C, H, W] → output [B, C, ⌊H/2⌋, ⌊W/2⌋].
enum MaxPoolGeometry {
    /// (B·C planes, H, W); traps on shapes that break the rule (a programmer error).
    static func of(input: Tensor, output: Tensor) -> (planes: Int, height: Int, width: Int) {
        precondition(input.shape.count == 4 && output.shape.count == 4, "max-pooling takes NCHW tensors, not \(input) and \(output)")
        let (b, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        precondition(output.shape == [b, c, h / 2, w / 2], "max-pooling \(input.shape) gives \([b, c, h / 2, w / 2]), not \(output.shape)")
        return (b * c, h, w)
    }
}

/// How BatchNorm reads its input: [B, C] after a dense layer, or [B, C, S…] with S the product of the rest.
enum BatchNormGeometry {
    static func of(_ input: Tensor) -> (batch: Int, channels: Int, spatial: Int) {
        precondition(input.shape.count >= 2, "batch norm takes [B, C, …], not \(input.shape)")
        return (input.shape[0], input.shape[1], input.shape.dropFirst(2).reduce(1, *))
    }

    /// A pass's shapes: `sameAsInput` tensors (output, gradients) like the input, every
    /// per-channel tensor one value per channel.
    static func check(input: Tensor, sameAsInput: [Tensor], perChannel: [Tensor]) -> (batch: Int, channels: Int, spatial: Int) {
        let shape = of(input)
        for t in sameAsInput {
            precondition(t.count == input.count, "batch norm tensor \(t) must have the input's \(input.count) values")
        }
        for t in perChannel {
            precondition(t.count == shape.channels, "batch norm per-channel tensor \(t) must have \(shape.channels) values")
        }
        return shape
    }
}
