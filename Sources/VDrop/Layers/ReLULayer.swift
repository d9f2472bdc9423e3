/// max(x, 0), elementwise.
public final class ReLULayer: Layer {
    public let name: String
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    let backend: any Backend

    init(name: String, backend: any Backend, shape: [Int]) {
        self.name = name
        self.backend = backend
        inputShape = shape
    }

    public func forward(_ input: Tensor, output: Tensor, mode: ForwardMode) throws {
        try backend.reluForward(input: input, output: output)
    }

    public func backward(input: Tensor, output: Tensor, gradOutput: Tensor, gradInput: Tensor?, mode: ForwardMode) throws {
        guard let gradInput else { return }
        try backend.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradInput)
    }
}
