import ArgumentParser
import Foundation

@main
struct VDropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdrop",
        abstract: "Train sparse Bayesian neural networks (ARD and Sparse Variational Dropout) on OpenCL devices.",
        version: VDropCommand.version,
        subcommands: [DevicesCommand.self, TrainCommand.self, EvalCommand.self, ExportCommand.self, InferCommand.self, SweepCommand.self, ReportCommand.self, BenchCommand.self, TuneCommand.self, CheckCommand.self]
    )

    /// The version `vdrop --version` prints and exported files name as their producer.
    static let version = "0.5.0"
    static var producer: String { "vdrop \(version)" }

    /// The default entry point, except that a failure is printed in the command line's words
    /// (the library names settings; ``FlagNames`` turns them into flags), in one write: ranks
    /// under mpirun that fail alike share the terminal, and a message written in pieces
    /// interleaves with the other rank's.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let translated = FlagNames.inCommandLineWords(error)
            let code = exitCode(for: translated)
            let message = fullMessage(for: translated)
            if !message.isEmpty {
                let text = Data((message + "\n").utf8)
                (code == .success ? FileHandle.standardOutput : FileHandle.standardError).write(text)
            }
            Foundation.exit(code.rawValue)
        }
    }
}
