import Foundation
import VDrop
import XCTest

/// `train --init-from`: a run starts from weights the user already has, PyTorch-layout
/// safetensors or a vdrop checkpoint, with θ from the file and every log σ² at −8; a file that
/// does not fit the model is a sentence naming the tensor.
final class InitFromTests: TemporaryFolderTestCase {
    /// PyTorch's state_dict names and layouts for `model`, with distinct values per tensor.
    private func pyTorchEntries(_ model: ModelKind) -> [SafeTensors.Entry] {
        let plan = ModelPlan(model: model, batch: 1)
        var entries: [SafeTensors.Entry] = []
        for stage in plan.stages {
            guard let key = stage.key else { continue }
            func entry(_ name: String, _ shape: [Int]) -> SafeTensors.Entry {
                let count = shape.reduce(1, *), salt = Float(entries.count + 1)
                return SafeTensors.Entry(name: name, shape: shape, values: (0..<count).map { Float(($0 * 7919) % 1000) / 1000 * 0.1 + salt * 1e-3 })
            }
            switch stage.operation {
            case .dense(let inputs, let outputs, _):
                entries += [entry("\(key).weight", [outputs, inputs]), entry("\(key).bias", [outputs])]
            case .conv(let g, _):
                entries += [entry("\(key).weight", g.weightShape), entry("\(key).bias", [g.outChannels])]
            case .batchNorm(let channels, _):
                entries += ["weight", "bias", "running_mean", "running_var"].map { entry("\(key).\($0)", [channels]) }
            case .relu, .maxPool:
                break
            }
        }
        return entries
    }

    private func write(_ entries: [SafeTensors.Entry], metadata: [String: String] = [:]) throws -> String {
        let path = folder + "/weights-\(UUID().uuidString).safetensors"
        try writeAtomically(try SafeTensors.encode(entries, metadata: metadata), to: path)
        return path
    }

    private func parameters(of network: Network) throws -> [String: [Float]] {
        var values: [String: [Float]] = [:]
        for (name, tensor) in network.namedParameters() { values[name] = try network.backend.download(tensor) }
        return values
    }

    func testPyTorchLayoutWeightsBecomeTheStartWithLogSigma2AtMinus8() throws {
        let entries = pyTorchEntries(.lenet5)
        let path = try write(entries)
        let network = try Network(model: .lenet5, batch: 2, backend: TestBackends.cpu)
        try network.initializeParameters(seed: 3)
        try InitialWeights(contentsOf: path, model: .lenet5).load(into: network, file: path)
        let loaded = try parameters(of: network)
        for entry in entries {
            let name = entry.name.hasSuffix(".weight") ? entry.name.replacingOccurrences(of: ".weight", with: ".theta") : entry.name
            XCTAssertEqual(loaded[name], entry.values, name)
            if name.hasSuffix(".theta") {
                let logSigma2 = try XCTUnwrap(loaded[name.replacingOccurrences(of: ".theta", with: ".log_sigma2")])
                XCTAssertEqual(Set(logSigma2), [InitialWeights.startingLogSigma2], name)
            }
        }
        XCTAssertEqual(Set(try network.backend.download(network.adam.firstMoment)), [0])
    }

    func testBatchNormTensorsAreReadForVGGLike() throws {
        let entries = pyTorchEntries(.vgglike)
        let weights = try InitialWeights(data: try SafeTensors.encode(entries, metadata: [:]), file: "vgg.safetensors", model: .vgglike)
        for entry in entries where entry.name.hasPrefix("bn") {
            XCTAssertEqual(weights.tensors[entry.name]?.values, entry.values, entry.name)
        }
        XCTAssertEqual(weights.tensors["conv13.theta"]?.values, entries.first { $0.name == "conv13.weight" }?.values)
        XCTAssertEqual(Set(ModelPlan(model: .vgglike, batch: 1).parameterNames), Set(weights.tensors.keys))
    }

    /// Every way a file can fail to fit names the tensor in the file's own words.
    func testAFileThatDoesNotFitIsASentenceNamingTheTensor() throws {
        let good = pyTorchEntries(.lenet300)
        func message(_ entries: [SafeTensors.Entry], model: ModelKind = .lenet300) -> String {
            do {
                _ = try InitialWeights(data: try SafeTensors.encode(entries, metadata: [:]), file: "w.safetensors", model: model)
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(message(good.filter { $0.name != "dense2.bias" }).contains("lacks the tensor \"dense2.bias\""))
        var transposed = good
        transposed[0].shape = [784, 300]
        XCTAssertTrue(message(transposed).contains("\"dense1.weight\" has shape [784, 300]; model lenet300 needs [300, 784]"), message(transposed))
        var renamed = good
        renamed[0].name = "fc1.weight"
        XCTAssertTrue(message(renamed).contains("holds the tensor \"fc1.weight\""), message(renamed))
        var infinite = good
        infinite[1].values[0] = .infinity
        XCTAssertTrue(message(infinite).contains("\"dense1.bias\" holds a non-finite value"), message(infinite))
        // LeNet-5's weight layers are conv1, conv2, dense3, dense4: dense1 and dense2 have no place.
        XCTAssertTrue(message(good, model: .lenet5).contains("holds the tensor \"dense1.bias\" (and 3 more), which model lenet5 has no place for"),
                      message(good, model: .lenet5))
    }

    /// Dense training, then ARD from its checkpoint: before any ARD step the network predicts
    /// exactly as the dense one (same θ, σ² only adds noise in training), and ARD then prunes.
    func testARDFromADenseCheckpointStartsWhereItEndedAndPrunes() throws {
        let data = try RunSafetyTests.slice.get()
        let dense = TrainingConfiguration.shortRun(model: .lenet300, objective: .none, epochs: 2, batch: 50, seed: 4)
        let denseRun = try Trainer(configuration: dense, data: data, backend: TestBackends.cpu, outputDirectory: folder + "/dense")
        let denseResult = try denseRun.run()

        var sparse = dense
        sparse.objective = .ard
        sparse.epochs = 3
        sparse.decayFrom = 3
        sparse.regularizerScale = 0.02
        sparse.initFrom = folder + "/dense/checkpoint.safetensors"
        let fineTune = try Trainer(configuration: sparse, data: data, backend: TestBackends.cpu, outputDirectory: folder + "/ard")
        let test = try DeviceDataset(data.test, backend: TestBackends.cpu)
        let start = try Evaluator.evaluate(network: fineTune.network, data: test, rule: try TrimRule(parsing: "mu"))
        XCTAssertEqual(start.errorPercent, denseResult.evaluation.errorPercent)
        XCTAssertEqual(start.compression, denseResult.evaluation.compression, accuracy: 1e-9)
        let result = try fineTune.run()
        XCTAssertGreaterThan(result.evaluation.compression, 2 * denseResult.evaluation.compression)
        XCTAssertLessThan(result.evaluation.errorPercent, denseResult.evaluation.errorPercent + 10)
    }

    func testACheckpointOfAnotherModelIsRefused() throws {
        let data = try RunSafetyTests.slice.get()
        let c = TrainingConfiguration.shortRun(model: .lenet300, objective: .none, epochs: 1, batch: 500, annealEpochs: 20)
        let run = try Trainer(configuration: c, data: data, backend: TestBackends.cpu, outputDirectory: folder + "/run")
        _ = try run.run()
        XCTAssertThrowsError(try InitialWeights(contentsOf: folder + "/run/checkpoint.safetensors", model: .lenet5)) { error in
            XCTAssertTrue("\(error)".contains("is a checkpoint of model lenet300; model is lenet5"), "\(error)")
        }
    }
}
