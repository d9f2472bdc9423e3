import Foundation
import VDrop
import XCTest

/// Data-parallel training: K ranks, each with its share of every global batch and the noise of
/// its own samples, summing gradients in rank order, equal the 1-rank run with the same global
/// batch up to the order of float summation, and repeat bit for bit. The ranks here are threads
/// with a shared-memory reduction; `MPIRunTests` runs the same over mpirun.
final class DataParallelTests: XCTestCase {
    /// Ranks on threads of one process: each deposits its values, the last to arrive sums them in
    /// rank order, and all take the sum.
    final class ThreadReduction: StepReduction {
        final class Shared {
            let condition = NSCondition()
            var deposits: [[Float]?]
            var generation = 0
            var sum: [Float] = []
            init(ranks: Int) { deposits = Array(repeating: nil, count: ranks) }
        }
        let rank: Int
        let ranks: Int
        let shared: Shared
        init(rank: Int, shared: Shared) {
            self.rank = rank
            self.shared = shared
            ranks = shared.deposits.count
        }

        func sumInRankOrder(_ values: inout [Float]) throws {
            shared.condition.lock()
            defer { shared.condition.unlock() }
            let generation = shared.generation
            shared.deposits[rank] = values
            if shared.deposits.allSatisfy({ $0 != nil }) {
                var sum = shared.deposits[0]!
                for other in shared.deposits.dropFirst() { for i in sum.indices { sum[i] += other![i] } }
                shared.sum = sum
                shared.deposits = Array(repeating: nil, count: ranks)
                shared.generation += 1
                shared.condition.broadcast()
            } else {
                while shared.generation == generation { shared.condition.wait() }
            }
            values = shared.sum
        }
    }

    private func configuration(model: ModelKind) -> TrainingConfiguration {
        .shortRun(model: model, objective: .svdo, epochs: 1, batch: 20, seed: 21, logEvery: 5, regularizerScale: 0.05)
    }

    /// The parameters after one epoch of 10 steps on `ranks` ranks (threads), from rank 0.
    private func train(model: ModelKind, ranks: Int, data: DataSplit) throws -> (parameters: [Float], losses: [StepLoss]) {
        let shared = ThreadReduction.Shared(ranks: ranks)
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var byRank: [Result<([Float], [StepLoss]), Error>?]
            init(_ ranks: Int) { byRank = Array(repeating: nil, count: ranks) }
        }
        let outcomes = Outcomes(ranks)
        let group = DispatchGroup()
        for rank in 0..<ranks {
            group.enter()
            Thread {
                defer { group.leave() }
                let outcome = Result { () -> ([Float], [StepLoss]) in
                    let trainer = try Trainer(configuration: self.configuration(model: model), data: data, backend: CPUBackend(),
                                              outputDirectory: nil,
                                              dataParallel: ranks > 1 ? ThreadReduction(rank: rank, shared: shared) : nil)
                    let recorder = LossRecorder()
                    trainer.observer = recorder
                    try trainer.runEpochs(upTo: 1)
                    return (try trainer.network.backend.download(trainer.network.arena.parameters), recorder.losses)
                }
                outcomes.lock.lock(); outcomes.byRank[rank] = outcome; outcomes.lock.unlock()
            }.start()
        }
        group.wait()
        let ranksParameters = try outcomes.byRank.map { try XCTUnwrap($0).get() }
        for other in ranksParameters.dropFirst() { XCTAssertEqual(other.0, ranksParameters[0].0, "every rank holds the same parameters") }
        return ranksParameters[0]
    }

    final class LossRecorder: TrainingObserver {
        var losses: [StepLoss] = []
        func progress(epoch: Int, step: Int, stepsPerEpoch: Int, loss: StepLoss, imagesPerSecond: Double) { losses.append(loss) }
        func epochFinished(_ record: EpochRecord) {}
        func note(_ message: String) {}
    }

    private func slice() throws -> DataSplit {
        let data = try TrainingRunTests.slice.get()
        return DataSplit(train: data.train.prefix(200), test: data.test.prefix(40), source: data.source)
    }

    func testTwoRanksEqualOneWithTheSameGlobalBatch() throws {
        let data = try slice()
        for model in [ModelKind.lenet300, .lenet5] {
            let one = try train(model: model, ranks: 1, data: data)
            let two = try train(model: model, ranks: 2, data: data)
            let difference = zip(one.parameters, two.parameters).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let norm = one.parameters.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertLessThan(difference / norm, 1e-5, "\(model): 10 steps on 2 ranks against 1")
            XCTAssertGreaterThan(difference, 0, "\(model): the sums round differently, so the runs are not the same code path")
            // The losses the ranks report are the global batch's.
            XCTAssertEqual(one.losses.count, two.losses.count)
            for (a, b) in zip(one.losses, two.losses) {
                XCTAssertEqual(a.dataTerm, b.dataTerm, accuracy: 1e-4 * abs(a.dataTerm))
                XCTAssertEqual(a.errors, b.errors)
            }
        }
    }

    func testTwoRanksRepeatBitForBit() throws {
        let data = try slice()
        XCTAssertEqual(try train(model: .lenet5, ranks: 2, data: data).parameters, try train(model: .lenet5, ranks: 2, data: data).parameters)
    }

    func testABatchThatDoesNotSplitIsASentence() throws {
        let data = try slice()
        var c = configuration(model: .lenet300)
        c.batch = 25
        XCTAssertThrowsError(try Trainer(configuration: c, data: data, backend: TestBackends.cpu, outputDirectory: nil,
                                         dataParallel: ThreadReduction(rank: 0, shared: .init(ranks: 2)))) { error in
            XCTAssertTrue("\(error)".contains("the batch size 25 does not split evenly over 2 ranks") && namedSettings(error) == [.batch], "\(error)")
        }
    }
}
