import Foundation
import VDrop

/// Everything `vdrop bench` measured, as written to its JSON file.
public struct BenchmarkReport: Codable, Sendable {
    public var date: String
    public var device: String
    public var cpuThreads: Int
    public var operations: [OperationMeasurement]
    /// Whole training steps on the device (when there is one) and on the CPU backend.
    public var deviceSteps: [StepMeasurement]
    public var cpuSteps: [StepMeasurement]
    /// Peak resident host memory of the benchmark process, in bytes.
    public var peakHostBytes: Int
    /// Which CLBlast SGEMM parameters the device used (see `vdrop tune`); nil without a device.
    public var gemmParameters: String?
    /// Seconds the device's first-use tune took before the steps (``GemmAutoTuning``; 0 when the
    /// cached report held every shape), and the shapes it timed; nil when it did not run.
    public var firstUseTuningSeconds: Double?
    public var firstUseShapesTimed: Int?

    public init(date: String, device: String, cpuThreads: Int, operations: [OperationMeasurement],
                deviceSteps: [StepMeasurement], cpuSteps: [StepMeasurement], peakHostBytes: Int,
                gemmParameters: String? = nil, firstUseTuningSeconds: Double? = nil, firstUseShapesTimed: Int? = nil) {
        self.date = date
        self.device = device
        self.cpuThreads = cpuThreads
        self.operations = operations
        self.deviceSteps = deviceSteps
        self.cpuSteps = cpuSteps
        self.peakHostBytes = peakHostBytes
        self.gemmParameters = gemmParameters
        self.firstUseTuningSeconds = firstUseTuningSeconds
        self.firstUseShapesTimed = firstUseShapesTimed
    }
}
