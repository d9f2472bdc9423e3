import Foundation

extension OpenCLBackend: OptimizerOperations {
    /// At most this many partial sums: enough groups to fill a large GPU, few enough
    /// for one work-group to add them up.
    static let regularizerSumMaxGroups = 1024

    public func regularizerValue(objective: Objective, theta: Tensor, logSigma2: Tensor, into output: Tensor) throws {
        OperationShapes.regularizerValue(theta: theta, logSigma2: logSigma2, output: output)
        let regularizer = Regularizer(objective: objective)
        let count = theta.count
        guard regularizer.kind != .zero, count > 0 else { try fill(output.slice(from: 0, shape: [1]), with: 0); return }
        let kernels = regularizerKernels
        let groups = min(Self.regularizerSumMaxGroups, (count + kernels.groupSize - 1) / kernels.groupSize)
        let partial = try scratchTensor("regularizer_sum.partials", count: Self.regularizerSumMaxGroups)
        try kernels.sumPartial(theta: theta, logSigma2: logSigma2, count: count, objective: regularizer.kind,
                               a: regularizer.a, b: regularizer.b, partial: partial, groups: groups)
        try kernels.sumFinal(partial: partial, groups: groups, out: output)
    }

    public func addRegularizerGradient(objective: Objective, theta: Tensor, logSigma2: Tensor, scale: Float,
                                       gradTheta: Tensor, gradLogSigma2: Tensor) throws {
        let count = theta.count
        OperationShapes.regularizerGradient(theta: theta, logSigma2: logSigma2, gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
        let regularizer = Regularizer(objective: objective)
        if regularizer.kind == .zero || count == 0 { return }
        try regularizerKernels.gradientAdd(theta: theta, logSigma2: logSigma2, count: count, objective: regularizer.kind,
                                           a: regularizer.a, b: regularizer.b, scale: scale, gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
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
        try adamKernels.update(p: parameters, grad: gradients, m: firstMoment, v: secondMoment, weights: weightCount, plain: plain,
                               objective: regularizer.kind, a: regularizer.a, b: regularizer.b,
                               trainLogSigma2: objective.trainsLogSigma2, regularizerWeight: step.regularizerWeight, step: step)
    }

    /// One launch over every seed's arena: the second grid dimension is the seed.
    public func adamUpdate(objective: Objective, parameters: Tensor, gradients: Tensor, firstMoment: Tensor,
                           secondMoment: Tensor, weightCount: Int, seeds: Int, settings: AdamSettings) throws {
        let arena = OperationShapes.seedArena(parameters: parameters, seeds: seeds)
        OperationShapes.adam(parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment,
                             weightCount: weightCount * seeds, settings: settings)
        let plain = arena - 2 * weightCount
        precondition(plain >= 0, "adamUpdate: 2·\(weightCount) weights exceed the arena of \(arena)")
        if weightCount + plain == 0 { return }
        let step = AdamStepConstants(settings)
        let regularizer = Regularizer(objective: objective)
        try adamKernels.update(p: parameters, grad: gradients, m: firstMoment, v: secondMoment, weights: weightCount, plain: plain,
                               seeds: seeds, objective: regularizer.kind, a: regularizer.a, b: regularizer.b,
                               trainLogSigma2: objective.trainsLogSigma2, regularizerWeight: step.regularizerWeight, step: step)
    }
}
