/// Makes the backend a `--device` choice names.
public enum BackendFactory {
    /// The CPU backend for `cpu` (and for `auto` without a GPU), else an OpenCL backend on
    /// the chosen device. An absent device throws a sentence listing those that exist.
    public static func make(_ choice: DeviceChoice) throws -> any Backend {
        if choice == .cpu { return CPUBackend() }
        switch try DeviceInventory().resolve(choice) {
        case .cpuBackend: return CPUBackend()
        case .openCL(let device): return try OpenCLBackend(device: device)
        }
    }
}
