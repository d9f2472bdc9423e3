extension TrainingSchedule {
    /// A run's schedule, from its configuration (the regularizer scale as the recipe sets it).
    public init(configuration c: TrainingConfiguration, stepsPerEpoch: Int) {
        self.init(learningRate: c.learningRate, epochs: Double(c.epochs), decayFrom: c.decayFrom,
                  annealEpochs: c.annealEpochs, regularizerScale: c.effectiveRegularizerScale, stepsPerEpoch: stepsPerEpoch)
    }
}
