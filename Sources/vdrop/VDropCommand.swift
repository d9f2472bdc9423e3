import ArgumentParser

@main
struct VDropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdrop",
        abstract: "Train sparse Bayesian neural networks (ARD and Sparse Variational Dropout) on OpenCL devices.",
        subcommands: [DevicesCommand.self, TrainCommand.self, EvalCommand.self, ExportCommand.self, InferCommand.self, SweepCommand.self, ReportCommand.self, BenchCommand.self, TuneCommand.self, CheckCommand.self]
    )
}
