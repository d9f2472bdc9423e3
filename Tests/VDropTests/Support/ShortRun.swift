import VDrop

extension TrainingConfiguration {
    /// A short run for a test: the settings tests vary, named at the call; the rest the paper's
    /// defaults (`decayFrom` defaults to the last epoch, so the learning rate stays constant).
    static func shortRun(model: ModelKind, objective: ObjectiveKind, epochs: Int, batch: Int, decayFrom: Double? = nil,
                         annealEpochs: Double = 0, seed: UInt64 = 1, logEvery: Int = 50,
                         regularizerScale: Float? = nil) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = model
        c.objective = objective
        c.epochs = epochs
        c.batch = batch
        c.decayFrom = decayFrom ?? Double(epochs)
        c.annealEpochs = annealEpochs
        c.seed = seed
        c.logEvery = logEvery
        c.regularizerScale = regularizerScale
        return c
    }
}
