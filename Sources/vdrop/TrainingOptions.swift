import ArgumentParser
import VDrop

extension Parameterization: ExpressibleByArgument {}
extension ModelKind: ExpressibleByArgument {}
extension ObjectiveKind: ExpressibleByArgument {}

/// The flags of a training run, shared by `train` and `sweep`. Defaults are the paper's recipe.
struct TrainingOptions: ParsableArguments {
    @Option(help: "The network: lenet300, lenet5 or vgglike.")
    var model: ModelKind = .lenet5

    @Option(help: "What to minimize besides the data term: ard, svdo, gamma, gaussian or none.")
    var objective: ObjectiveKind = .ard

    @Option(name: .customLong("a"), help: "The Gamma hyperprior's shape a, greater than 1/2 (objective gamma). `sweep` takes a comma-separated list, e.g. 0.505,0.51,0.515,0.52.")
    var gammaA: String = "0.505"

    /// The values of --a: one for `train`, one or more for `sweep`.
    var gammaAValues: [Float]? {
        let parts = gammaA.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Float.init)
        return values.count == parts.count && !values.isEmpty ? values : nil
    }

    @Option(name: .customLong("b"), help: "The Gamma hyperprior's rate b; must be 0 or more (objective gamma).")
    var gammaB: Float = 1e-8

    @Option(help: "The fixed dropout rate α of objective gaussian (σ² = α·θ²).")
    var alpha: Float = 1

    @Option(help: "Training epochs.")
    var epochs: Int = 200

    @Option(help: "Samples per step.")
    var batch: Int = 100

    @Option(help: "Adam's initial learning rate.")
    var lr: Float = 1e-3

    @Option(name: .customLong("decay-from"), help: "The epoch from which the learning rate falls linearly to 0 at the last epoch (default: half of --epochs, the paper's 100 of 200).")
    var decayFrom: Double?

    @Option(name: .customLong("anneal-epochs"), help: "Epochs over which the regularizer's weight rises from 0 to 1 (0: full weight from the start).")
    var annealEpochs: Double = 20

    @Option(name: .customLong("reg-scale"), help: "The regularizer's scale s (default: 1, or 0.05 for vgglike as in the paper).")
    var regScale: Float?

    @Option(name: .customLong("log-sigma2-max"), help: "Upper clip on log σ² after each update (default: none, or -8 for gamma as in the paper).")
    var logSigma2Max: Float?

    @Option(help: "Which variable of each weight's variance Adam trains: log-sigma (the paper's Appendix A) or log-sigma2 (the Sparse VD authors' code). With Adam the choice changes the training, not only the variable.")
    var parameterization: Parameterization = .logSigma

    @Option(name: .customLong("init-from"), help: "Start from trained dense weights instead of the random initialization: a safetensors file in PyTorch's layout (dense1.weight, dense1.bias, conv1.weight, bn1.weight, …) or a vdrop checkpoint of the same model (e.g. trained with --objective none). θ comes from the file, every log σ² starts at -8.")
    var initFrom: String?

    @Option(help: "The run's seed: initialization, shuffling and every noise draw follow from it.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("How weights are trimmed before evaluation: mu[:threshold] (|θ| < 0.01 by default) or logalpha[:threshold] (log α ≥ 3 by default).", valueName: "rule"),
            transform: TrimRule.init(parsing:))
    var trim: TrimRule = .paper

    @Option(name: .customLong("log-every"), help: "Read the loss back every this many steps (progress and the NaN check).")
    var logEvery: Int = 50

    @Option(help: "A folder with MNIST-style IDX files or CIFAR-10 binary batches (default: Fashion-MNIST from the Debian package dataset-fashion-mnist).")
    var data: String?

    @OptionGroup var device: DeviceOptions

    @Option(help: ArgumentHelp("Train the runs of --seeds (or of a sweep) on several devices at once, one run per device at a time, each taking the next run when it is free: all (every OpenCL GPU, else the CPU backend) or a list of --device values such as 0:0,0:1 or cpu,opencl-cpu. A run's results are those it gives alone on the backend that took it.", valueName: "list"))
    var devices: String?

    @Flag(name: .customLong("data-parallel"), help: "Under mpirun: train each run with all ranks together, each taking its share of every batch (the default when there is one run; with several, the runs are split over the ranks instead).")
    var dataParallel = false

    /// The run's configuration with `seed` (for --seeds).
    func configuration(seed: UInt64) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.model = model
        c.objective = objective
        c.gammaA = gammaAValues?.first ?? .nan
        c.gammaB = gammaB
        c.alpha = alpha
        c.epochs = epochs
        c.batch = batch
        c.learningRate = lr
        c.decayFrom = decayFrom ?? Double(epochs) / 2
        c.annealEpochs = annealEpochs
        c.regularizerScale = regScale
        c.logSigma2Max = logSigma2Max
        c.seed = seed
        c.trim = trim
        c.logEvery = logEvery
        c.parameterization = parameterization
        c.initFrom = initFrom
        return c
    }

    func validate() throws {
        if let devices {
            guard device.device == "auto" else { throw ValidationError("Give --device or --devices, not both.") }
            if devices.lowercased() != "all" {
                do { _ = try DeviceChoice.list(parsing: devices) } catch let error as DeviceSelectionError { throw FlagNames.validationError(error) }
            }
        }
        guard let values = gammaAValues else {
            throw ValidationError("--a takes a number (or for sweep, numbers separated by commas); got \"\(gammaA)\".")
        }
        do {
            // Every value of a sweep's --a, by the objective's own rule.
            for a in values { try Objective.gamma(a: a, b: max(gammaB, 0)).validate() }
            try configuration(seed: seed).validate()
        } catch let error as SettingWordedError {
            throw FlagNames.validationError(error)
        }
    }
}
