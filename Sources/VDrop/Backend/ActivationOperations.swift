/// Batch statistics a BatchNorm forward pass saves for its backward pass.
public struct BatchNormSaved {
    /// Per-channel batch mean, [channels].
    public let mean: Tensor
    /// Per-channel 1/√(batch variance + ε), [channels].
    public let inverseStd: Tensor

    public init(backend: BackendCore, channels: Int) throws {
        mean = try backend.allocate([channels])
        inverseStd = try backend.allocate([channels])
    }
}

/// ReLU, 2×2 max-pooling and BatchNorm, forward and backward.
public protocol ActivationOperations: BackendCore {
    /// output = max(input, 0); `output` may be `input` (in place).
    func reluForward(input: Tensor, output: Tensor) throws

    /// gradInput = gradOutput where output > 0, else 0; `gradInput` may be `gradOutput`.
    func reluBackward(output: Tensor, gradOutput: Tensor, gradInput: Tensor) throws

    /// input [B, C, H, W] → output [B, C, H/2, W/2] (odd sizes rounded down, as PyTorch), with
    /// `argmax` (same shape as output) holding the winning position 0…3 (dy·2 + dx) of each window;
    /// ties go to the first position.
    func maxPoolForward(input: Tensor, output: Tensor, argmax: Tensor) throws

    /// Overwrites all of gradInput [B, C, H, W]: each window's gradient goes to its argmax, zero elsewhere.
    func maxPoolBackward(gradOutput: Tensor, argmax: Tensor, gradInput: Tensor) throws

    /// input [B, C, S] (S = H·W, or 1 after a dense layer). Training: normalizes with the batch
    /// statistics (biased variance over B·S), saves mean and 1/√(var+ε), and updates
    /// running = (1−momentum)·running + momentum·batch (the running variance unbiased, ×n/(n−1)),
    /// as PyTorch's BatchNorm. Evaluation: normalizes with the running statistics.
    /// output = γ·x̂ + β, with `.relu` max(γ·x̂ + β, 0): the bits ``reluForward(input:output:)``
    /// writes after the unfused pass, without its launch and its pass over the activation.
    func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                          runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                          training: Bool, momentum: Float, epsilon: Float, activation: FusedActivation) throws

    /// The training-mode backward pass; overwrites gradInput, gradGamma and gradBeta. `output` is
    /// the forward pass's: with `.relu`, ∂L/∂output passes only where it is > 0 (the mask of
    /// ``reluBackward(output:gradOutput:gradInput:)``, so the result equals the unfused pair's bit for bit).
    /// `gradInput` may be `gradOutput`.
    func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, output: Tensor, saved: BatchNormSaved,
                           gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor, activation: FusedActivation) throws
}

extension ActivationOperations {
    /// A BatchNorm forward pass without a fused activation.
    public func batchNormForward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor,
                                 runningMean: Tensor, runningVariance: Tensor, saved: BatchNormSaved,
                                 training: Bool, momentum: Float, epsilon: Float) throws {
        try batchNormForward(input: input, gamma: gamma, beta: beta, output: output, runningMean: runningMean,
                             runningVariance: runningVariance, saved: saved, training: training,
                             momentum: momentum, epsilon: epsilon, activation: .none)
    }

    /// A BatchNorm backward pass without a fused activation.
    public func batchNormBackward(input: Tensor, gamma: Tensor, gradOutput: Tensor, saved: BatchNormSaved,
                                  gradInput: Tensor, gradGamma: Tensor, gradBeta: Tensor) throws {
        try batchNormBackward(input: input, gamma: gamma, gradOutput: gradOutput, output: gradOutput, saved: saved,
                              gradInput: gradInput, gradGamma: gradGamma, gradBeta: gradBeta, activation: .none)
    }
}
