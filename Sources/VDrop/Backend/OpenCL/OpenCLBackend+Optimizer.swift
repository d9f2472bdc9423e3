import Foundation

extension OpenCLBackend: OptimizerOperations {
    /// Work-group size of the regularizer sum (the kernel's WG_SIZE default).
    static let regularizerSumGroupSize = 256
    /// At most this many partial sums: enough groups to fill a large GPU, few enough
    /// for one work-group to add them up.
    static let regularizerSumMaxGroups = 1024

    public func regularizerValue(objective: Objective, theta: Tensor, logSigma2: Tensor, into output: Tensor) throws {
        OperationShapes.regularizerValue(theta: theta, logSigma2: logSigma2, output: output)
        let regularizer = Regularizer(objective: objective)
        let count = theta.count
        guard regularizer.kind != .zero, count > 0 else { try fill(output.slice(from: 0, shape: [1]), with: 0); return }
        let groupSize = Self.regularizerSumGroupSize
        let groups = min(Self.regularizerSumMaxGroups, (count + groupSize - 1) / groupSize)
        let partial = try scratchTensor("regularizer_sum.partials", count: Self.regularizerSumMaxGroups).deviceBuffer
        try launch("regularizer_sum_partial", in: "regularizer_sum.cl", global: [groups * groupSize], local: [groupSize],
                   theta.deviceBuffer, theta.deviceOffset, logSigma2.deviceBuffer, logSigma2.deviceOffset,
                   Int32(count), regularizer.kind.rawValue, regularizer.a, regularizer.b, partial)
        try launch("regularizer_sum_final", in: "regularizer_sum.cl", global: [groupSize], local: [groupSize],
                   partial, Int32(groups), output.deviceBuffer, output.deviceOffset)
    }

    public func addRegularizerGradient(objective: Objective, theta: Tensor, logSigma2: Tensor, scale: Float,
                                       gradTheta: Tensor, gradLogSigma2: Tensor) throws {
        let count = theta.count
        OperationShapes.regularizerGradient(theta: theta, logSigma2: logSigma2, gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
        let regularizer = Regularizer(objective: objective)
        if regularizer.kind == .zero || count == 0 { return }
        try launch("regularizer_gradient_add", in: "regularizer_gradient.cl", global: [count],
                   theta.deviceBuffer, theta.deviceOffset, logSigma2.deviceBuffer, logSigma2.deviceOffset,
                   Int32(count), regularizer.kind.rawValue, regularizer.a, regularizer.b, scale,
                   gradTheta.deviceBuffer, gradTheta.deviceOffset, gradLogSigma2.deviceBuffer, gradLogSigma2.deviceOffset)
    }

    public func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                           secondMoment: Tensor, weightCount: Int, settings: AdamSettings) throws {
        let total = parameters.count
        OperationShapes.adam(parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment,
                             weightCount: weightCount, settings: settings)
        let plain = total - 2 * weightCount
        if weightCount + plain == 0 { return }
        let step = AdamStepConstants(settings)
        let regularizer = Regularizer(objective: objective)
        try launch("adam_update", in: "adam.cl", global: [weightCount + plain],
                   parameters.deviceBuffer, parameters.deviceOffset, gradients.deviceBuffer, gradients.deviceOffset,
                   firstMoment.deviceBuffer, firstMoment.deviceOffset, secondMoment.deviceBuffer, secondMoment.deviceOffset,
                   Int32(weightCount), Int32(plain), regularizer.kind.rawValue, regularizer.a, regularizer.b,
                   Int32(objective.trainsLogSigma2 ? 1 : 0), step.regularizerWeight, step.learningRate,
                   step.beta1, step.beta2, step.epsilon, step.biasCorrection1, step.biasCorrection2, step.logSigma2Max,
                   step.logSigma2PerTrained)
    }
}
