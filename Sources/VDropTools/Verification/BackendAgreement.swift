import Foundation
import VDrop

/// How closely a device follows the CPU backend on one model (`vdrop check`): the same
/// initialization, batch and Philox noise on both, then three comparisons.
///
/// 1. **Products.** Every GEMM of the device's first step, on the route it takes there, against
///    OpenBLAS on the same operands: |device − cpu| / (|α|·|A|·|B| + |β|·|C|) element by element,
///    where float sums of k terms in any order stay below ~√k·ε ≈ 1e-5 and a wrong kernel (a
///    missing block of k, a misplaced tile) is far above ``productTolerance``.
/// 2. **The first step's gradients** and 3. **the losses of the first steps**, normalized so that
///    1e-3 is the tolerance the test suite holds PoCL to.
///
/// The step comparisons depend on more than the kernels: ReLU and max-pool are not smooth, so a
/// product rounded in another order can send a gradient down another path. VGG-like is that
/// sensitive: scaling two of its forward products by 1 − 2·10⁻⁶ moved its first gradients by
/// 2·10⁻² (normalized), while the same scaling the other way moved them by 7·10⁻⁶. So the CPU
/// backend is also run with every product's elements changed by ±2⁻²⁰ in a fixed pattern
/// (``CPUBackend/productPerturbation``), both ways, and the step comparisons pass within 4 times
/// what that moved, or 1e-3 if that is larger.
public struct BackendAgreement: Codable, Equatable, Sendable {
    public var model: String
    public var objective: String
    public var batch: Int
    public var steps: Int
    /// max over steps of |device − cpu| / (10 + |cpu|) of the minimized objective (a loss of
    /// a few 10⁵ here: relative, with an absolute floor for losses near zero).
    public var lossError: Double
    /// max over the arena of |device − cpu| / (max |cpu| + |cpu|) of the first gradients:
    /// gradients span many orders of magnitude, and a near-zero one is rounding on both sides.
    public var gradientError: Double
    /// The largest product error of the device's first step (nil: the device is not an OpenCL backend).
    public var productError: Double?
    /// How far the CPU backend's own losses and gradients move when its products' elements change
    /// by ±2⁻²⁰ (nil: the reference is not the CPU backend).
    public var lossSensitivity: Double?
    public var gradientSensitivity: Double?
    public var device: String

    public static let tolerance = 1e-3
    public static let productTolerance = 1e-4

    /// The bound the step comparisons are held to: ``tolerance``, or 4 times what rounding-level
    /// changes of the products move the CPU backend's own results, whichever is larger.
    public var lossBound: Double { max(Self.tolerance, 4 * (lossSensitivity ?? 0)) }
    public var gradientBound: Double { max(Self.tolerance, 4 * (gradientSensitivity ?? 0)) }

    public var passed: Bool {
        (productError ?? 0) <= Self.productTolerance && lossError <= lossBound && gradientError <= gradientBound
    }

    public static func measure(model: ModelKind, objective: Objective, batch: Int, steps: Int,
                               device: any Backend, cpu: any Backend) throws -> BackendAgreement {
        let cpuGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: cpu)
        let deviceGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: device)
        let cpuRun = try Trajectory.run(model: model, objective: objective, batch: batch, steps: steps, backend: cpu)
        let deviceRun = try Trajectory.run(model: model, objective: objective, batch: batch, steps: steps, backend: device)
        var agreement = BackendAgreement(model: model.rawValue, objective: objective.description, batch: batch, steps: steps,
                                         lossError: lossError(deviceRun.losses.map(\.total), cpuRun.losses.map(\.total)),
                                         gradientError: gradientError(deviceGradients, cpuGradients), device: device.name)
        var loss = 0.0, gradient = 0.0
        defer { cpu.productObserver = nil }
        for perturbation in [Float.ulpOfOne * 8, -Float.ulpOfOne * 8] {  // ±2⁻²⁰
            cpu.productObserver = ProductPerturbation(relative: perturbation)
            let gradients = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: cpu)
            let run = try Trajectory.run(model: model, objective: objective, batch: batch, steps: steps, backend: cpu)
            gradient = max(gradient, gradientError(gradients, cpuGradients))
            loss = max(loss, lossError(run.losses.map(\.total), cpuRun.losses.map(\.total)))
        }
        agreement.lossSensitivity = loss
        agreement.gradientSensitivity = gradient
        agreement.productError = try productError(model: model, objective: objective, batch: batch, device: device)
        return agreement
    }

    /// The largest error of the products of the device's first step, each against OpenBLAS on
    /// the same operands (see the type's comment).
    public static func productError(model: ModelKind, objective: Objective, batch: Int, device: Backend) throws -> Double {
        let check = ProductCheck()
        device.productObserver = check
        defer { device.productObserver = nil }
        _ = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: device)
        return check.worst
    }

    public static func lossError(_ device: [Double], _ cpu: [Double]) -> Double {
        precondition(device.count == cpu.count, "loss trajectories of different lengths")
        return zip(device, cpu).reduce(0) { worst, pair in max(worst, normalized(abs(pair.0 - pair.1), by: 10 + abs(pair.1))) }
    }

    public static func gradientError(_ device: [Float], _ cpu: [Float]) -> Double {
        precondition(device.count == cpu.count, "gradient arenas of different sizes")
        let scale = Double(cpu.reduce(0) { max($0, abs($1)) })
        return zip(device, cpu).reduce(0) { worst, pair in
            max(worst, normalized(Double(abs(pair.0 - pair.1)), by: scale + Double(abs(pair.1))))
        }
    }

    /// error / bound, with NaN (a NaN on either side) counted as infinitely wrong.
    static func normalized(_ error: Double, by bound: Double) -> Double {
        error.isNaN ? .infinity : bound > 0 ? error / bound : (error == 0 ? 0 : .infinity)
    }
}
