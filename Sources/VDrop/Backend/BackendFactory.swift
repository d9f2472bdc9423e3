/// Makes the backend a `--device` choice names.
public enum BackendFactory {
    /// The CPU backend for `cpu` (and for `auto` without a GPU), else an OpenCL backend on
    /// the chosen device with the SGEMM parameters `gemm` names. An absent device throws a
    /// sentence listing those that exist, and so does a CPU backend without OpenBLAS (before any
    /// training starts, not at its first product). `profiling` gives the OpenCL backend a queue
    /// that can time each kernel.
    public static func make(_ choice: DeviceChoice, gemm: GemmParameterSource = .automatic,
                            profiling: Bool = false) throws -> any Backend {
        try makeOpenCL(choice, gemm: gemm, profiling: profiling) ?? makeCPUBackend()
    }

    /// The OpenCL backend `choice` names, or nil when it names the CPU backend: for the tools
    /// that need an OpenCL device (the tuner), typed as such rather than cast.
    public static func makeOpenCL(_ choice: DeviceChoice, gemm: GemmParameterSource = .automatic,
                                  profiling: Bool = false) throws -> OpenCLBackend? {
        if choice == .cpu { return nil }
        switch try DeviceInventory().resolve(choice) {
        case .cpuBackend: return nil
        case .openCL(let device):
            let backend = try OpenCLBackend(device: device, profiling: profiling)
            try backend.useGemmParameters(gemm)
            return backend
        }
    }

    public static func makeCPUBackend() throws -> CPUBackend {
        _ = try BLASLibrary.shared()
        return CPUBackend()
    }
}
