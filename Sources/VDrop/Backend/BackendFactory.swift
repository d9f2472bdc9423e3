/// Makes the backend a `--device` choice names.
public enum BackendFactory {
    /// The CPU backend for `cpu` (and for `auto` without a GPU), else an OpenCL backend on
    /// the chosen device with the SGEMM parameters `gemm` names. An absent device throws a
    /// sentence listing those that exist.
    public static func make(_ choice: DeviceChoice, gemm: GemmParameterSource = .automatic) throws -> any Backend {
        if choice == .cpu { return CPUBackend() }
        switch try DeviceInventory().resolve(choice) {
        case .cpuBackend: return CPUBackend()
        case .openCL(let device):
            let backend = try OpenCLBackend(device: device)
            try backend.useGemmParameters(gemm)
            return backend
        }
    }
}
