extension Evaluator {
    /// A checkpoint's network, trimmed by `rule`, on `test`: what `vdrop eval` prints and the
    /// test error `vdrop export` records in the file it writes. `batch`: the evaluation batch
    /// (nil: the run's own). `file` is the checkpoint's path, for errors.
    public static func evaluate(checkpoint: Checkpoint, file: String, rule: TrimRule, test: Dataset,
                                backend: any Backend, batch: Int? = nil) throws -> EvaluationResult {
        let configuration = checkpoint.configuration
        let network = try Network(model: configuration.model, batch: max(1, min(batch ?? configuration.batch, test.count)),
                                  backend: backend)
        try checkpoint.restore(into: network, includeOptimizer: false, file: file)
        return try evaluate(network: network, data: try DeviceDataset(test, backend: backend), rule: rule)
    }
}
