/// A choice the user makes, which an error can point at.
///
/// The library names settings, never command-line flags: the raw value is the setting's plain
/// name, used when a message is read outside the command line (a test, another program), and
/// `vdrop` renders each as its flag (`--lr`, `--anneal-epochs`, …) when it prints the message.
public enum Setting: String, CaseIterable, Sendable {
    case model
    case objective
    case gammaA = "the Gamma hyperprior's a"
    case gammaB = "the Gamma hyperprior's b"
    case alpha = "Gaussian dropout's α"
    case epochs = "the number of epochs"
    case batch = "the batch size"
    case learningRate = "the learning rate"
    case decayFrom = "the epoch the learning rate starts to fall"
    case annealEpochs = "the annealing epochs"
    case regularizerScale = "the regularizer scale"
    case logSigma2Max = "the log σ² clip"
    case logEvery = "the loss read-back interval"
    case seed
    case seeds = "the number of seeds"
    case seedBatch = "the seeds trained together"
    case trim = "the trimming rule"
    case initFrom = "the weights to start from"
    case data = "the data folder"
    case resume = "resuming"
    case force = "replacing a run"
    case device
    case devices
    case format = "the export format"
}
