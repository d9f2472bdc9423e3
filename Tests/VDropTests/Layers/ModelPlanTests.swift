import Foundation
import VDrop
import XCTest

/// The plan of a model, without a device: what fuses, the shapes, the arena layout and the
/// names checkpoints use — and a network built from it allocates exactly that.
final class ModelPlanTests: XCTestCase {
    func testLeNet5FusesEachReLUAndPoolIntoItsConv() {
        let plan = ModelPlan(model: .lenet5, batch: 2)
        XCTAssertEqual(plan.stages.map(\.displayName), ["conv1 1→20@5×5 +relu +maxpool", "conv2 20→50@5×5 +relu +maxpool",
                                                        "dense3 800→500 +relu", "dense4 500→10"])
        XCTAssertEqual(plan.stages.map(\.outputShape), [[2, 20, 12, 12], [2, 50, 4, 4], [2, 500], [2, 10]])
        XCTAssertEqual(plan.weightCount, 430_500, "LeNet-5's weights (DESIGN.md)")
        XCTAssertEqual(plan.plainCount, 20 + 50 + 500 + 10)
        XCTAssertEqual(plan.stateCount, 0)
        XCTAssertEqual(plan.classes, 10)
        XCTAssertEqual(plan.stages.map(\.weights), [0..<500, 500..<25_500, 25_500..<425_500, 425_500..<430_500])
        XCTAssertEqual(plan.parameterNames, ["conv1.theta", "conv1.log_sigma2", "conv1.bias", "conv2.theta", "conv2.log_sigma2",
                                             "conv2.bias", "dense3.theta", "dense3.log_sigma2", "dense3.bias",
                                             "dense4.theta", "dense4.log_sigma2", "dense4.bias"])
        XCTAssertFalse(plan.sharesConvScratch)
    }

    /// A pool fuses only right after a conv's own ReLU; a ReLU after BatchNorm fuses into the BatchNorm.
    func testFusionFollowsOnlyTheLayerItBelongsTo() {
        let specs: [LayerSpec] = [.conv(outChannels: 4, kernelSize: 3, padding: 0), .relu, .maxPool,
                                  .conv(outChannels: 6, kernelSize: 3, padding: 1), .batchNorm, .relu, .maxPool,
                                  .conv(outChannels: 5, kernelSize: 1, padding: 0), .maxPool, .dense(outputs: 10), .relu]
        let plan = ModelPlan(specs: specs, sampleShape: [2, 13, 13], batch: 3)
        XCTAssertEqual(plan.stages.map(\.displayName), ["conv1 2→4@3×3 +relu +maxpool", "conv2 4→6@3×3", "bn1 6 +relu", "maxpool",
                                                        "conv3 6→5@1×1", "maxpool", "dense4 5→10 +relu"])
        XCTAssertEqual(plan.stages.map(\.key), ["conv1", "conv2", "bn1", nil, "conv3", nil, "dense4"])
        // BatchNorm's γ and β follow conv2's bias in the plain segment; its statistics are state.
        XCTAssertEqual(plan.stages[2].plain, 10..<16)
        XCTAssertEqual(plan.stages[2].beta, 16..<22)
        XCTAssertEqual(plan.stages[2].state, 0..<6)
        XCTAssertEqual(plan.stateCount, 12)
        XCTAssertEqual(plan.parameterNames.filter { $0.hasPrefix("bn1") }, ["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"])
    }

    /// VGG-like's conv buffers pass the threshold at batch 100, so its conv layers share a scratch.
    func testVGGLikeSharesItsConvScratch() {
        let plan = ModelPlan(model: .vgglike, batch: 100)
        XCTAssertTrue(plan.sharesConvScratch)
        XCTAssertEqual(plan.stages.filter { $0.key?.hasPrefix("bn") == true }.count, 14)
        XCTAssertEqual(plan.weightStages.count, 15)
        XCTAssertEqual(plan.weightStages.map(\.key).last, "dense15")
        XCTAssertFalse(ModelPlan(model: .vgglike, batch: 2).sharesConvScratch)
    }

    /// VGG-like's 14 ReLUs after a BatchNorm run in the BatchNorm; unfused (bench --bn-relu separate)
    /// they are stages of their own, and everything a checkpoint or a data-parallel peer sees is the same.
    func testVGGLikeFusesEachReLUIntoItsBatchNorm() {
        let fused = ModelPlan(model: .vgglike, batch: 2), separate = ModelPlan(model: .vgglike, batch: 2, fuseBatchNormReLU: false)
        let names = fused.stages.map(\.displayName)
        XCTAssertEqual(Array(names.prefix(4)), ["conv1 3→64@3×3", "bn1 64 +relu", "conv2 64→64@3×3", "bn2 64 +relu"])
        XCTAssertEqual(Array(names.suffix(3)), ["dense14 512→512", "bn14 512 +relu", "dense15 512→10"])
        XCTAssertFalse(names.contains("relu"))
        XCTAssertEqual(fused.stages.count, 13 + 14 + 5 + 2)
        XCTAssertEqual(Array(separate.stages.map(\.displayName).prefix(4)), ["conv1 3→64@3×3", "bn1 64", "relu", "conv2 64→64@3×3"])
        XCTAssertEqual(separate.stages.count, fused.stages.count + 14)
        XCTAssertEqual(separate.stages.filter { $0.operation == .relu }.map(\.outputShape),
                       fused.stages.filter { if case .batchNorm(_, true) = $0.operation { return true } else { return false } }.map(\.outputShape))
        XCTAssertEqual(separate.parameterNames, fused.parameterNames)
        XCTAssertEqual(separate.weightStages, fused.weightStages)
        XCTAssertEqual([separate.weightCount, separate.plainCount, separate.stateCount, separate.classes],
                       [fused.weightCount, fused.plainCount, fused.stateCount, fused.classes])
        XCTAssertEqual(separate.stages.compactMap(\.plain), fused.stages.compactMap(\.plain))
        XCTAssertEqual(separate.stages.compactMap(\.beta), fused.stages.compactMap(\.beta))
        XCTAssertEqual(separate.stages.compactMap(\.state), fused.stages.compactMap(\.state))
    }

    /// The network allocates the plan: the same layers, shapes and arena, and its names are the plan's.
    func testANetworkAllocatesItsPlan() throws {
        for model in ModelKind.allCases where model != .vgglike {
            let plan = ModelPlan(model: model, batch: 3)
            let network = try Network(plan: plan, backend: TestBackends.cpu)
            XCTAssertEqual(network.layers.map(\.name), plan.stages.map(\.displayName))
            XCTAssertEqual(network.layers.map(\.outputShape), plan.stages.map(\.outputShape))
            XCTAssertEqual(network.arena.weightCount, plan.weightCount)
            XCTAssertEqual(network.arena.plainCount, plan.plainCount)
            XCTAssertEqual(network.namedParameters().map(\.name), plan.parameterNames)
            XCTAssertEqual(network.weightLayers.map(\.key), plan.weightStages.map(\.key!))
        }
    }
}
