import Foundation
import VDrop
import XCTest

/// A run gives the same bits whatever the CPU backend's thread count: products split into slabs
/// fixed by their shape, sums in fixed chunks. (An mpirun rank bound to one core then repeats a
/// process with every core.)
final class ThreadCountTests: XCTestCase {
    func testTrainingGivesTheSameBitsOnOneThreadAndOnFour() throws {
        let data = try TrainingRunTests.slice.get()
        let slice = DataSplit(train: data.train.prefix(200), test: data.test.prefix(20), source: data.source)
        for (model, objective) in [(ModelKind.lenet300, ObjectiveKind.ard), (.lenet300, .svdo), (.lenet5, .svdo)] {
            let c = TrainingConfiguration.shortRun(model: model, objective: objective, epochs: 1, batch: 100, logEvery: 1)
            func parameters(threads: Int) throws -> [Float] {
                let trainer = try Trainer(configuration: c, data: slice, backend: CPUBackend(threads: threads), outputDirectory: nil)
                try trainer.runEpochs(upTo: 1)
                return try trainer.network.backend.download(trainer.network.arena.parameters)
            }
            XCTAssertEqual(try parameters(threads: 1), try parameters(threads: 4), "\(model) \(objective)")
        }
    }
}
