import ArgumentParser
import Foundation
import VDrop
import VDropCL

/// `vdrop devices`: what the OpenCL loader sees, which device each `--device` value picks, and
/// which OpenBLAS (and which of its kernel sets, chosen by whom) the CPU backend runs.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List every OpenCL platform and device, the one `--device gpu` picks, and the CPU backend's BLAS library and kernels."
    )

    func run() throws {
        let inventory = try DeviceInventory()
        if inventory.platforms.isEmpty {
            print("No OpenCL platform is installed.")
            print("For OpenCL on the CPU install PoCL: apt-get install pocl-opencl-icd (make test and make train do this).")
        }
        for (platform, devices) in zip(inventory.platforms, inventory.devices) {
            print("Platform \(platform.index): \(platform.name) — \(platform.vendor), \(platform.version)")
            if devices.isEmpty { print("  (no devices)") }
            for device in devices {
                print("  \(device.platformIndex):\(device.index)  \(device.name)")
                print("       type \(device.kind.rawValue), vendor \(device.vendor), \(device.computeUnits) compute units, "
                      + "\(gibibytes(device.globalMemory)) global memory (largest buffer \(gibibytes(device.maxAllocation))), "
                      + "max work-group \(device.maxWorkGroupSize), \(device.openCLCVersion), driver \(device.driverVersion)")
                let tuning = GemmTuningFile.defaultPath(for: device)
                print("       SGEMM parameters: " + (FileManager.default.fileExists(atPath: tuning)
                                                     ? "tuned by `vdrop tune` or on first use (\(tuning))"
                                                     : "CLBlast's own (`vdrop tune` can fit them; on a GPU each model's product routes are timed on first use)"))
            }
        }
        do {
            let blas = try BLASLibrary.shared()
            print("  cpu  the CPU backend (Swift + OpenBLAS, \(ProcessInfo.processInfo.activeProcessorCount) threads), always available")
            print("       BLAS: \(blas.summary)")
        } catch {
            print("  cpu  the CPU backend, unavailable: \(error)")
        }
        print("")
        if let gpu = inventory.firstGPU {
            print("--device gpu (and the default, auto) picks \(gpu.platformIndex):\(gpu.index) \(gpu.name).")
        } else {
            print("--device gpu finds no GPU here; the default (auto) uses the CPU backend.")
        }
        if let hint = NVIDIADriverHint.sentence(for: inventory) {
            print("")
            print(hint)
        }
    }

    private func gibibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f GiB", Double(bytes) / 1_073_741_824)
    }
}
