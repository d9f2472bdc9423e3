import Foundation

extension Checkpoint {
    /// Checks what the metadata says before anything is built from it: a configuration that
    /// ``TrainingConfiguration/validate(trainingSetSize:)`` accepts (batch 0 would reach a
    /// precondition in ``Network``), and an epoch and step a run could have written.
    ///
    /// A run writes a checkpoint after each whole epoch of the same number of steps, or, when it
    /// is interrupted, k steps into the next (``partialEpoch``): so 0 ≤ epoch ≤ epochs, and the
    /// step less k is a whole multiple of the epoch (0 at epoch 0).
    func validate(file: String) throws {
        do {
            try configuration.validate()
        } catch let error as ConfigurationError {
            throw ModelFileError(file: file, problem: "holds a configuration vdrop cannot run (\(error.wording)) The checkpoint is damaged or was not written by vdrop; start the run again.")
        }
        guard epoch >= 0, epoch <= configuration.epochs else {
            throw ModelFileError(file: file, problem: "says it was written after epoch \(epoch) of a \(configuration.epochs)-epoch run, which cannot be; the checkpoint is damaged.")
        }
        let within = partialEpoch?.steps ?? 0
        if let partial = partialEpoch {
            guard partial.steps >= 1, epoch < configuration.epochs, partial.recorded >= 0, partial.recorded <= partial.steps,
                  partial.errorSum >= 0, partial.seconds >= 0, partial.seconds.isFinite, partial.dataSum.isFinite,
                  partial.regularizerSum.isFinite, partial.learningRate.isFinite else {
                throw ModelFileError(file: file, problem: "holds a damaged vdrop.partial_epoch (the state of an interrupted epoch); the checkpoint is damaged.")
            }
        }
        let (whole, overflow) = step.subtractingReportingOverflow(within)
        let consistent = !overflow && (epoch == 0 ? whole == 0 : whole >= epoch && whole % epoch == 0)
        guard step >= 0, consistent else {
            throw ModelFileError(file: file, problem: "says it was written at step \(step) after epoch \(epoch), which is not a whole number of equal epochs; the checkpoint is damaged.")
        }
    }
}
