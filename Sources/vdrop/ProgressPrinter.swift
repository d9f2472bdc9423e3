import Foundation
import VDrop

/// Prints training progress: a redrawn bar on a terminal, plain lines otherwise (logs, CI).
final class ProgressPrinter: TrainingObserver {
    let totalEpochs: Int
    let batch: Int
    let prefix: String
    private let isTerminal: Bool
    private var lastPlainLine = Date.distantPast

    /// `redraw: false` prints plain lines even on a terminal: runs side by side on several
    /// devices cannot share one redrawn line.
    init(totalEpochs: Int, batch: Int, prefix: String = "", redraw: Bool = true) {
        self.totalEpochs = totalEpochs
        self.batch = batch
        self.prefix = prefix
        isTerminal = redraw && isatty(STDOUT_FILENO) != 0
    }

    func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) {
        let eta = imagesPerSecond > 0 ? Double((stepsPerEpoch - step) * batch) / imagesPerSecond : 0
        let status = String(format: "%@epoch %d/%d  %d/%d steps  loss %.5g  %.0f img/s  ETA %@", prefix, epoch, totalEpochs,
                            step, stepsPerEpoch, loss.total, imagesPerSecond, Self.duration(eta))
        if isTerminal {
            let width = 24
            let filled = min(width, Int(Double(step) / Double(max(stepsPerEpoch, 1)) * Double(width)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\u{1B}[2K\(bar) \(status)", terminator: "")
            fflush(stdout)
        } else if Date().timeIntervalSince(lastPlainLine) >= 10 {
            lastPlainLine = Date()
            print(status)
            fflush(stdout)
        }
    }

    func epochFinished(_ r: EpochRecord) {
        if isTerminal { print("\r\u{1B}[2K", terminator: "") }
        let testError = r.testError.map { String(format: "%.2f%%", $0) } ?? "-"
        print(String(format: "%@epoch %d/%d  lr %.2e  beta %.2f  data %.1f  reg %.1f  train err %.2f%%  test err %@  compression %.1fx  %.1fs (%.0f img/s)",
                     prefix, r.epoch, totalEpochs, r.lr, r.beta, r.dataTerm, r.regularizer, r.trainError, testError,
                     r.compression, r.seconds, r.imagesPerSecond))
        fflush(stdout)
    }

    func note(_ message: String) { print(prefix + message) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
