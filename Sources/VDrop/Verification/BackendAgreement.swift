/// How closely a device follows the CPU backend on one model (`vdrop check`): the same
/// initialization, batch and Philox noise on both, then the first step's gradients and the
/// loss of every step compared.
///
/// Both errors are normalized so that 1e-3 is the tolerance the test suite holds PoCL to:
/// Float GEMMs summed in other orders differ by ~1e-6 relative per step and Adam amplifies tiny
/// gradient differences a little, while a wrong kernel is off by far more than 1e-3.
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
    public var device: String

    public static let tolerance = 1e-3

    public var passed: Bool { lossError <= Self.tolerance && gradientError <= Self.tolerance }

    public static func measure(model: ModelKind, objective: Objective, batch: Int, steps: Int,
                               device: any Backend, cpu: any Backend) throws -> BackendAgreement {
        let cpuGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: cpu)
        let deviceGradients = try Trajectory.firstGradients(model: model, objective: objective, batch: batch, backend: device)
        let cpuRun = try Trajectory.run(model: model, objective: objective, batch: batch, steps: steps, backend: cpu)
        let deviceRun = try Trajectory.run(model: model, objective: objective, batch: batch, steps: steps, backend: device)
        return BackendAgreement(model: model.rawValue, objective: objective.description, batch: batch, steps: steps,
                                lossError: lossError(deviceRun.losses.map(\.total), cpuRun.losses.map(\.total)),
                                gradientError: gradientError(deviceGradients, cpuGradients), device: device.name)
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
    private static func normalized(_ error: Double, by bound: Double) -> Double {
        error.isNaN ? .infinity : bound > 0 ? error / bound : (error == 0 ? 0 : .infinity)
    }
}
