import Foundation
import VDropCL

/// What `--device` asks for; every command that computes takes it.
public enum DeviceChoice: Equatable, Sendable, CustomStringConvertible {
    /// The first GPU when there is one, else the CPU backend (the default).
    case automatic
    /// The first OpenCL GPU.
    case gpu
    /// The CPU backend: Swift and OpenBLAS, no OpenCL.
    case cpu
    /// The first OpenCL CPU device (e.g. PoCL).
    case openCLCPU
    /// Platform and device index as `vdrop devices` lists them.
    case indexed(platform: Int, device: Int)

    /// Parses `auto`, `gpu`, `cpu`, `opencl-cpu` or `P:D`.
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "auto": self = .automatic
        case "gpu": self = .gpu
        case "cpu": self = .cpu
        case "opencl-cpu": self = .openCLCPU
        default:
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let p = Int(parts[0]), let d = Int(parts[1]), p >= 0, d >= 0 else {
                throw DeviceSelectionError(
                    "\"\(text)\" is not a device. Use auto, gpu, cpu, opencl-cpu, or P:D with the platform and device numbers that `vdrop devices` lists.")
            }
            self = .indexed(platform: p, device: d)
        }
    }

    public var description: String {
        switch self {
        case .automatic: return "auto"
        case .gpu: return "gpu"
        case .cpu: return "cpu"
        case .openCLCPU: return "opencl-cpu"
        case .indexed(let p, let d): return "\(p):\(d)"
        }
    }
}

/// Where a command will compute: the CPU backend or one OpenCL device.
public enum ResolvedDevice: Equatable, Sendable {
    case cpuBackend
    case openCL(Device)
}

extension Device: Equatable {
    public static func == (lhs: Device, rhs: Device) -> Bool {
        lhs.platformIndex == rhs.platformIndex && lhs.index == rhs.index
    }
}

/// A device that does not exist or could not be found; the message lists what does exist.
public struct DeviceSelectionError: SettingWordedError {
    public let wording: SettingMessage
    public init(_ wording: SettingMessage) { self.wording = wording }
    /// The sentence with the settings' plain names.
    public var message: String { wording.description }
}

/// Every OpenCL platform and device on this machine, read once.
public struct DeviceInventory: Sendable {
    public let platforms: [Platform]
    /// Devices of each platform, in the same order as `platforms`.
    public let devices: [[Device]]

    public init() throws {
        let platforms = try Platform.all()
        self.platforms = platforms
        devices = try platforms.map { try $0.devices() }
    }

    public var allDevices: [Device] { devices.flatMap { $0 } }

    /// The first GPU of any platform, which `--device gpu` and `auto` pick.
    public var firstGPU: Device? { allDevices.first { $0.kind == .gpu } }

    /// Resolves a choice to a device, or throws a sentence that lists the devices there are.
    public func resolve(_ choice: DeviceChoice) throws -> ResolvedDevice {
        switch choice {
        case .cpu:
            return .cpuBackend
        case .automatic:
            return firstGPU.map(ResolvedDevice.openCL) ?? .cpuBackend
        case .gpu:
            if let gpu = firstGPU { return .openCL(gpu) }
            throw DeviceSelectionError("There is no OpenCL GPU on this machine. \(availableSummary)\(NVIDIADriverHint.sentence(for: self).map { " " + $0 } ?? "")")
        case .openCLCPU:
            if let cpu = allDevices.first(where: { $0.kind == .cpu }) { return .openCL(cpu) }
            throw DeviceSelectionError("There is no OpenCL CPU device on this machine (install pocl-opencl-icd for one). \(availableSummary)")
        case .indexed(let p, let d):
            guard p < devices.count, d < devices[p].count else {
                throw DeviceSelectionError("There is no OpenCL device \(p):\(d). \(availableSummary)")
            }
            return .openCL(devices[p][d])
        }
    }

    /// One sentence naming the devices that exist, for error messages.
    public var availableSummary: SettingMessage {
        let listed = allDevices.map { "\($0.platformIndex):\($0.index) \($0.name) (\($0.kind.rawValue))" }
        if listed.isEmpty { return "No OpenCL device was found; \(.device) cpu (the CPU backend) always works." }
        return "Available: \(listed.joined(separator: ", ")), and cpu (the CPU backend)."
    }
}

/// Finds an NVIDIA OpenCL driver the ICD loader does not know about, and says how to register it.
public enum NVIDIADriverHint {
    /// Where NVIDIA's OpenCL driver library lives on common systems and containers.
    public static let driverPaths = [
        "/usr/local/nvidia/lib64/libnvidia-opencl.so.1",
        "/usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1",
        "/usr/lib64/libnvidia-opencl.so.1",
        "/usr/lib/libnvidia-opencl.so.1",
    ]

    /// The driver library when one exists on disk.
    public static func installedDriver() -> String? {
        driverPaths.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The fix when NVIDIA's driver is on disk but no NVIDIA platform is listed; nil otherwise.
    public static func sentence(for inventory: DeviceInventory) -> String? {
        guard let driver = installedDriver(),
              !inventory.platforms.contains(where: { $0.name.localizedCaseInsensitiveContains("NVIDIA") }) else { return nil }
        return "NVIDIA's OpenCL driver is installed at \(driver) but the OpenCL loader does not list it: no ICD file names it. "
            + "Fix, as root: echo \(driver) > /etc/OpenCL/vendors/nvidia.icd — or without root: "
            + "mkdir -p /tmp/icd && echo \(driver) > /tmp/icd/nvidia.icd && export OCL_ICD_VENDORS=/tmp/icd"
    }
}

extension DeviceChoice {
    /// The devices of `--devices`: `all` (every OpenCL GPU of the host, or the CPU backend on a
    /// host with none) or a comma-separated list of `--device` values, e.g. `0:0,0:1` or
    /// `cpu,opencl-cpu`. A device may be listed twice (two runs share it, e.g. `cpu,cpu`).
    public static func list(parsing text: String, inventory: () throws -> DeviceInventory = DeviceInventory.init) throws -> [DeviceChoice] {
        if text.lowercased() == "all" {
            let gpus = try inventory().allDevices.filter { $0.kind == .gpu }
            return gpus.isEmpty ? [.cpu] : gpus.map { .indexed(platform: $0.platformIndex, device: $0.index) }
        }
        let words = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !words.contains(where: \.isEmpty) else {
            throw DeviceSelectionError("\(.devices) takes all or devices separated by commas (e.g. 0:0,0:1 or cpu,opencl-cpu); \"\(text)\" has an empty entry.")
        }
        return try words.map(DeviceChoice.init(parsing:))
    }
}
