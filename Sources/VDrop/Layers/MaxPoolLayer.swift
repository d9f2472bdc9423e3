/// 2×2 max-pooling with stride 2 over NCHW batches (odd sizes rounded down).
public final class MaxPoolLayer: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    let backend: any Backend
    /// The winning window position of each output, kept for backward.
    let argmax: Tensor

    init(name: String, backend: any Backend, inputShape: [Int]) throws {
        precondition(inputShape.count == 4, "max-pooling needs an NCHW input")
        self.name = name
        self.backend = backend
        self.inputShape = inputShape
        outputShape = [inputShape[0], inputShape[1], inputShape[2] / 2, inputShape[3] / 2]
        argmax = try backend.allocate(outputShape)
    }

    public func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws {
        try backend.maxPoolForward(input: input, output: output, argmax: argmax)
    }

    public func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws {
        guard let gradInput else { return }
        try backend.maxPoolBackward(gradOutput: gradOutput, argmax: argmax, gradInput: gradInput)
    }
}
