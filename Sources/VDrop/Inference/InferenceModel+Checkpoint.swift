extension InferenceModel {
    /// The deterministic network of a checkpoint under `rule`: θ with the trimmed weights set to
    /// exactly 0, the biases, BatchNorm's γ, β and running statistics; σ² is dropped.
    /// A missing tensor or one of the wrong shape is a sentence naming it.
    public init(checkpoint: Checkpoint, rule: TrimRule, file: String) throws {
        let model = checkpoint.configuration.model
        let plan = ModelPlan(model: model, batch: 1)
        func tensor(_ name: String, count: Int) throws -> [Float] {
            guard let entry = checkpoint.tensors[name] else {
                throw ModelFileError(file: file, problem: "lacks the tensor \"\(name)\" that model \(model.rawValue) needs.")
            }
            guard entry.values.count == count else {
                throw ModelFileError(file: file, problem: "tensor \"\(name)\" holds \(entry.values.count) values, model \(model.rawValue) needs \(count).")
            }
            guard entry.values.allSatisfy({ $0.isFinite }) else {
                throw ModelFileError(file: file, problem: "tensor \"\(name)\" holds a non-finite value.")
            }
            return entry.values
        }
        func trimmed(_ key: String, count: Int) throws -> [Float] {
            let theta = try tensor("\(key).theta", count: count)
            let logSigma2 = try tensor("\(key).log_sigma2", count: count)
            return zip(theta, logSigma2).map { rule.keeps(theta: $0, logSigma2: $1) ? $0 : 0 }
        }
        var stages: [Stage] = []
        var total = 0, kept = 0
        for stage in plan.stages {
            switch stage.operation {
            case .dense(let inputs, let outputs, let relu):
                let key = stage.key ?? "dense"
                let weight = try trimmed(key, count: inputs * outputs)
                stages.append(.dense(Dense(name: key, inputs: inputs, outputs: outputs, weight: weight,
                                           bias: try tensor("\(key).bias", count: outputs))))
                total += weight.count
                kept += weight.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
                if relu { stages.append(.relu) }
            case .conv(let g, let activation):
                let key = stage.key ?? "conv"
                let weight = try trimmed(key, count: g.weightShape.reduce(1, *))
                stages.append(.conv(Conv(name: key, inChannels: g.inChannels, outChannels: g.outChannels, kernelSize: g.kernelSize,
                                         padding: g.padding, weight: weight, bias: try tensor("\(key).bias", count: g.outChannels))))
                total += weight.count
                kept += weight.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
                switch activation {
                case .none: break
                case .relu: stages.append(.relu)
                case .reluMaxPool: stages += [.relu, .maxPool]
                }
            case .relu:
                stages.append(.relu)
            case .maxPool:
                stages.append(.maxPool)
            case .batchNorm(let channels, let relu):
                let key = stage.key ?? "bn"
                let variance = try tensor("\(key).running_var", count: channels)
                guard variance.allSatisfy({ $0 >= 0 }) else {
                    throw ModelFileError(file: file, problem: "tensor \"\(key).running_var\" holds a negative variance; the checkpoint is damaged.")
                }
                stages.append(.batchNorm(BatchNorm(name: key, gamma: try tensor("\(key).weight", count: channels),
                                                   beta: try tensor("\(key).bias", count: channels),
                                                   mean: try tensor("\(key).running_mean", count: channels),
                                                   variance: variance, epsilon: BatchNormLayer.epsilon)))
                // The inference model keeps the ReLU a stage of its own, fused in training or not,
                // so exported files do not depend on the training plan's fusion.
                if relu { stages.append(.relu) }
            }
        }
        self.init(sampleShape: model.sampleShape, stages: stages,
                  provenance: Provenance(model: model.rawValue, trim: rule.description,
                                         compression: Double(total) / Double(max(kept, 1))))
    }
}
