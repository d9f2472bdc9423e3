import ArgumentParser
import Dispatch
import Foundation
import VDrop

/// Ctrl-C during training: the first one asks the trainer to stop at the next step boundary
/// (it then saves a checkpoint of every step done); a second one ends the process at once,
/// which is safe too, because checkpoints are only ever renamed into place whole.
enum Interruption {
    /// Kept alive for the whole process: the signal source stops when released.
    nonisolated(unsafe) private static var source: DispatchSourceSignal?

    /// Routes SIGINT to a ``StopRequest`` and returns it.
    static func install() -> StopRequest {
        let request = StopRequest()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            FileHandle.standardError.write(Data("\nStopping after the current step and saving a checkpoint (Ctrl-C again quits at once).\n".utf8))
            request.request()
            signal(SIGINT, SIG_DFL)
        }
        source.resume()
        Self.source = source
        return request
    }

    /// Says where the run stopped and the exact command that continues it, then exits with
    /// 130 (128 + SIGINT, what a shell reports for a process Ctrl-C ended).
    /// `quiet`: the caller has said where each run stopped (several runs side by side).
    static func exit(after interrupted: TrainingInterrupted, quiet: Bool = false) -> ExitCode {
        if !quiet {
            print("")
            print(interrupted.description)
        }
        if interrupted.checkpoint != nil {
            print("To continue where it stopped, run:")
            print("  " + resumeCommand(CommandLine.arguments))
        }
        return ExitCode(130)
    }

    /// The command line as given, with --resume (added once) and without --force.
    static func resumeCommand(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var words = arguments.filter { $0 != "--force" }
        if !words.contains("--resume") { words.append("--resume") }
        // Started by mpirun: resumed by it too, with as many ranks (a run's batch split depends on them).
        let launcher = environment["OMPI_COMM_WORLD_SIZE"].map { "mpirun -np \($0) " } ?? ""
        return launcher + words.map(shellQuoted).joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back: bare when it is plain, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
        if !word.isEmpty, word.unicodeScalars.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
