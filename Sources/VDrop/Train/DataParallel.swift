/// How the ranks of a data-parallel run share each step. The engine knows only this protocol;
/// `VDropMPI` implements it over MPI (and tests over threads).
///
/// Every rank trains the same network on its share of each global batch: rank r holds samples
/// r·b ..< (r+1)·b of a global batch of K·b, draws their noise by their global position
/// (``NoiseKey/firstSample``), and the data-term gradients are summed over the ranks before the
/// one Adam update every rank applies alike. The sum's order is fixed (rank 0, 1, …, K−1 for every
/// value), so a K-rank run repeats bit for bit, and it equals the 1-rank run with the same global
/// batch up to the order of float summation.
public protocol StepReduction: AnyObject {
    /// This process's rank, 0 ..< ranks.
    var rank: Int { get }
    var ranks: Int { get }
    /// Replaces `values` with their elementwise sum over the ranks, added in rank order. Every
    /// rank calls it with the same count at the same point of the run.
    func sumInRankOrder(_ values: inout [Float]) throws
}

/// One rank's part of a global batch.
public struct BatchShard: Equatable, Sendable {
    /// The global batch (the run's `--batch`).
    public var globalBatch: Int
    /// The position in the global batch of this rank's first sample.
    public var firstSample: Int

    public init(globalBatch: Int, firstSample: Int) {
        self.globalBatch = globalBatch
        self.firstSample = firstSample
    }
}

extension Network {
    /// After a data-parallel step's backward pass: sums the data-term gradients (and with
    /// `recordLoss`, the batch's loss and correct counts) over the ranks, and agrees on whether to
    /// stop: returns true when any rank asked to. Adam then runs on the summed gradients.
    func reduceStep(over reduction: StepReduction, recordLoss: Bool, stopRequested: Bool) throws -> Bool {
        var values = try backend.download(arena.gradients)
        let gradientCount = values.count
        // Σ loss and Σ correct of this rank's samples; the regularizer (scalars[2]) is the same on every rank.
        if recordLoss { values += try backend.download(scalars).prefix(2) }
        values.append(stopRequested ? 1 : 0)
        try reduction.sumInRankOrder(&values)
        try backend.upload(Array(values[0..<gradientCount]), to: arena.gradients)
        if recordLoss { try backend.upload(Array(values[gradientCount..<(gradientCount + 2)]), to: scalars.slice(from: 0, shape: [2])) }
        return values[values.count - 1] > 0
    }
}
