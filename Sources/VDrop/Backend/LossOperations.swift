/// Softmax cross-entropy and reductions.
public protocol LossOperations: BackendCore {
    /// For each row b of logits [B, K] with label y_b (a class index stored as Float):
    /// rowLoss_b = logsumexp(z_b) − z_b[y_b]; rowCorrect_b = 1 if the first maximal logit is y_b, else 0;
    /// gradLogits (unless nil) = gradScale·(softmax(z_b) − onehot(y_b)). One pass per row.
    func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradScale: Float, gradLogits: Tensor?,
                             rowLoss: Tensor, rowCorrect: Tensor) throws

    /// output[0] = Σ input, accumulated in a fixed order (pairwise per work-group), so
    /// repeated runs give the same bits. `output` has one element.
    func sum(_ input: Tensor, into output: Tensor) throws
}
