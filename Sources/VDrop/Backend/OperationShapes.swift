/// Shape rules both backends check before an operation: a wrong shape is a programmer's
/// error (the network builds every tensor), so it traps with a message that names the shapes.
enum OperationShapes {
    /// (batch, in, out) of a dense layer: input [batch, in], θ [out, in], output batch·out values.
    static func dense(input: Tensor, weights: LRTWeights, output: Tensor) -> (batch: Int, inputs: Int, outputs: Int) {
        precondition(input.shape.count == 2 && weights.theta.shape.count == 2, "dense layers take [batch, in] and [out, in]")
        let batch = input.shape[0], inputs = input.shape[1], outputs = weights.theta.shape[0]
        precondition(weights.theta.shape[1] == inputs && weights.bias.count == outputs && output.count == batch * outputs,
                     "dense shapes disagree: input \(input.shape), θ \(weights.theta.shape), output \(output.shape)")
        return (batch, inputs, outputs)
    }

    /// `output` is the forward output or its gradient, in `activation.outputShape(g)`; a fused max-pool
    /// needs the workspace's argmax in that shape too.
    static func conv(input: Tensor, weights: LRTWeights, geometry g: ConvGeometry, output: Tensor,
                     workspace: ConvWorkspace, activation: ConvActivation) {
        let outputShape = activation.outputShape(g)
        precondition(input.count == g.inputShape.reduce(1, *) && output.count == outputShape.reduce(1, *)
                     && weights.theta.count == g.weightShape.reduce(1, *) && weights.bias.count == g.outChannels
                     && g.outHeight > 0 && g.outWidth > 0,
                     "conv shapes disagree with \(g): input \(input.shape), θ \(weights.theta.shape), output \(output.shape)")
        if activation == .reluMaxPool {
            precondition(workspace.argmax?.shape == outputShape, "a conv with a fused max-pool needs a workspace with its argmax")
        }
    }

    /// Rows of a gather into `output` of `rowSize`-value rows from `indices[start...]`; with
    /// `channels` (byte gathers), rows must be whole channels of `channelSize`.
    static func gather(output: Tensor, rowSize: Int, indices: Tensor, start: Int, channels: Int? = nil, channelSize: Int = 0) -> Int {
        let rows = output.count / rowSize
        precondition(rows * rowSize == output.count && start + rows <= indices.count, "gather shapes disagree")
        if let channels { precondition(channels * channelSize == rowSize, "a gathered row is \(channels) channels of \(channelSize)") }
        return rows
    }

    /// (rows, classes) of a cross-entropy pass.
    static func crossEntropy(logits: Tensor, labels: Tensor, gradLogits: Tensor?, rowLoss: Tensor, rowCorrect: Tensor) -> (rows: Int, classes: Int) {
        precondition(logits.shape.count == 2, "logits are [B, K], not \(logits.shape)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        precondition(classes > 0, "softmax needs at least one class")
        precondition(labels.count == rows && rowLoss.count == rows && rowCorrect.count == rows,
                     "labels \(labels), rowLoss \(rowLoss) and rowCorrect \(rowCorrect) need \(rows) values")
        if let gradLogits { precondition(gradLogits.count == logits.count, "gradLogits \(gradLogits) must match \(logits)") }
        return (rows, classes)
    }

    static func regularizerValue(theta: Tensor, logSigma2: Tensor, output: Tensor) {
        precondition(theta.count == logSigma2.count, "theta \(theta) and logSigma2 \(logSigma2) differ in count")
        precondition(output.count >= 1, "regularizerValue needs an output of at least one value")
    }

    static func regularizerGradient(theta: Tensor, logSigma2: Tensor, gradTheta: Tensor, gradLogSigma2: Tensor) {
        let count = theta.count
        precondition(logSigma2.count == count && gradTheta.count == count && gradLogSigma2.count == count,
                     "addRegularizerGradient needs tensors of one count")
    }

    static func adam(parameters: Tensor, gradients: Tensor, firstMoment: Tensor, secondMoment: Tensor, weightCount: Int, settings: AdamSettings) {
        let total = parameters.count
        precondition(gradients.count == total && firstMoment.count == total && secondMoment.count == total,
                     "adamUpdate needs parameter, gradient and moment arenas of one count")
        precondition(weightCount >= 0 && 2 * weightCount <= total, "adamUpdate: 2·\(weightCount) weights exceed the arena of \(total)")
        precondition(settings.step >= 1, "Adam steps count from 1")
    }

    /// The count of one seed's arena in tensors holding `seeds` of them back to back.
    static func seedArena(parameters: Tensor, seeds: Int) -> Int {
        precondition(seeds >= 1 && parameters.count % seeds == 0, "\(parameters.count) values do not hold \(seeds) equal arenas")
        return parameters.count / seeds
    }
}
