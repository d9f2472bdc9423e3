import ArgumentParser
import Foundation
import VDrop

/// What a run records besides its training, shared by `train` and `sweep`. None of these is
/// part of the run's configuration: they change what is written, not what is trained, so a
/// `--resume` may change them.
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("tensorboard"), help: ArgumentHelp(
        "Also write TensorBoard event files into this folder: every epoch's metrics as scalars, log α and θ histograms per layer (with --seeds or sweep, one sub-folder per run).",
        valueName: "dir"))
    var tensorboard: String?

    @Option(name: .customLong("eval-every"), help: "Evaluate on the test set every this many epochs (and after the last); the epochs between record no test error.")
    var evalEvery: Int = 1

    @Option(name: .customLong("histogram-every"), help: "Record the weight histograms (histograms.json, TensorBoard) every this many epochs, besides the initialization and the last epoch.")
    var histogramEvery: Int = 10

    func validate() throws {
        guard evalEvery >= 1 else { throw ValidationError("--eval-every must be at least 1 (1 evaluates every epoch); got \(evalEvery).") }
        guard histogramEvery >= 1 else { throw ValidationError("--histogram-every must be at least 1 (1 records every epoch); got \(histogramEvery).") }
        if let tensorboard {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: tensorboard, isDirectory: &isFolder), !isFolder.boolValue {
                throw ValidationError("--tensorboard \(tensorboard) is a file; name a folder for the event files.")
            }
        }
    }

    /// The event-file folder of one run: `sub` inside --tensorboard when several runs share it.
    func tensorboardFolder(sub: String?) -> String? {
        guard let tensorboard else { return nil }
        return sub.map { (tensorboard as NSString).appendingPathComponent($0) } ?? tensorboard
    }

    /// Sets the trainer's cadences, and adds a TensorBoard writer to `observers` when asked.
    func apply(to trainer: Trainer, observers: TrainingObservers, tensorboardSub: String?) throws {
        trainer.evaluateEvery = evalEvery
        trainer.histogramEvery = histogramEvery
        if let folder = tensorboardFolder(sub: tensorboardSub) {
            observers.members.append(try TensorBoardObserver(directory: folder))
        }
    }
}

/// Several observers of one trainer (the progress printer, a TensorBoard writer); it holds
/// them, since a trainer's observer reference is weak.
final class TrainingObservers: TrainingObserver {
    var members: [TrainingObserver] = []

    func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) {
        for m in members { m.progress(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch, loss: loss, imagesPerSecond: imagesPerSecond) }
    }
    func epochFinished(_ record: EpochRecord) { for m in members { m.epochFinished(record) } }
    func note(_ message: String) { for m in members { m.note(message) } }
    func histogramsTaken(_ snapshot: HistogramSnapshot) { for m in members { m.histogramsTaken(snapshot) } }
}
