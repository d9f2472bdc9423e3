import VDrop
import XCTest
import VDropTools

/// Whole training steps (``Trajectory``, what `vdrop check` runs): the same model on both
/// backends, from the same Philox initialization, on the same batch and the same noise, must
/// follow the same loss.
final class TrajectoryTests: XCTestCase {
    /// LeNet-5, batch 13, 10 steps of ARD on both backends: the loss trajectories agree.
    ///
    /// Tolerance: the data term is N·mean(CE) with N = 60,000, a few 10⁵; Float sums of
    /// GEMMs in different orders differ by ~1e-6 relative per step, and Adam's normalized
    /// update amplifies tiny gradient differences in weights whose gradient is near zero.
    /// After 10 steps 1e-3 relative on the loss is well above that drift and far below
    /// the change one step makes (the loss falls by several percent per step here).
    func testLeNet5LossTrajectoryIsTheSameOnBothBackends() throws {
        let openCL = try TestBackends.openCL()
        for objective in [Objective.ard, .svdo] {
            let cpu = try Trajectory.run(model: .lenet5, objective: objective, batch: 13, steps: 10, backend: TestBackends.cpu)
            let device = try Trajectory.run(model: .lenet5, objective: objective, batch: 13, steps: 10, backend: openCL)
            let cpuTotals = cpu.losses.map { Float($0.total) }
            let deviceTotals = device.losses.map { Float($0.total) }
            print("lenet5 \(objective) cpu  losses:", cpuTotals)
            print("lenet5 \(objective) open losses:", deviceTotals)
            assertClose(deviceTotals, cpuTotals, atol: 0, rtol: 1e-3, "lenet5 \(objective) loss trajectory")
            assertClose(device.losses.map { Float($0.regularizer) }, cpu.losses.map { Float($0.regularizer) },
                        atol: 0, rtol: 1e-4, "lenet5 \(objective) regularizer trajectory")
            // β·s grows over these steps, so the total may rise; the data term must fall.
            XCTAssertLessThan(cpu.losses.last!.dataTerm, cpu.losses.first!.dataTerm, "training on one batch lowers its data term")
            // Parameters: Adam moves each weight by about lr per step whatever its gradient's size,
            // so a weight whose gradient is zero up to rounding (on one side positive, on the other
            // negative) may legitimately drift apart by up to 2·lr per step. Such weights are rare:
            // all but 1 in 10,000 must agree to 1e-4 (a bug moves whole layers), and none may drift
            // further than Adam allows.
            let steps: Float = 10, learningRate: Float = 1e-3
            assertMostlyClose(device.parameters, cpu.parameters, atol: 1e-4, rtol: 1e-3, allowedOutliers: cpu.parameters.count / 10_000,
                              outlierBound: 2 * steps * learningRate, "lenet5 \(objective) parameters after 10 steps")
        }
    }

    /// lenet300 under every other objective and VGG-like (BatchNorm, 13 convs) take the same
    /// step on both backends: the same first gradients and the same two-step losses.
    ///
    /// Gradients are compared with atol = 1e-3·max|g|: they span many orders of magnitude,
    /// and a near-zero one is rounding noise on both sides. Parameters after Adam are not
    /// compared element-wise here: Adam moves a weight by about lr whatever its gradient's
    /// size, so a weight whose gradient is zero up to rounding (a conv bias right before
    /// BatchNorm) legitimately moves in either direction.
    func testOtherModelsStepAlikeOnBothBackends() throws {
        let openCL = try TestBackends.openCL()
        for (model, objective) in [(ModelKind.lenet300, Objective.gamma(a: 0.505, b: 1e-8)), (.vgglike, .svdo),
                                   (.lenet300, .gaussian(alpha: 0.5)), (.lenet300, .none)] {
            let cpuGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: 4, backend: TestBackends.cpu)
            let deviceGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: 4, backend: openCL)
            let scale = cpuGradients.reduce(0) { max($0, abs($1)) }
            XCTAssertGreaterThan(scale, 0)
            assertClose(deviceGradients, cpuGradients, atol: 1e-3 * scale, rtol: 1e-3, "\(model) \(objective) first gradients")
            let cpu = try Trajectory.run(model: model, objective: objective, batch: 4, steps: 2, backend: TestBackends.cpu)
            let device = try Trajectory.run(model: model, objective: objective, batch: 4, steps: 2, backend: openCL)
            assertClose(device.losses.map { Float($0.total) }, cpu.losses.map { Float($0.total) }, atol: 1e-2, rtol: 1e-3,
                        "\(model) \(objective) loss")
        }
    }

    /// The same run twice on one backend gives the same bits: a run is a function of its seed.
    func testAStepIsReproducible() throws {
        let first = try Trajectory.run(model: .lenet5, objective: .ard, batch: 7, steps: 3, backend: TestBackends.cpu)
        let second = try Trajectory.run(model: .lenet5, objective: .ard, batch: 7, steps: 3, backend: TestBackends.cpu)
        XCTAssertEqual(first.parameters, second.parameters)
    }
}
