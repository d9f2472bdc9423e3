import ArgumentParser
import VDrop

/// `--device`, shared by every command that computes.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Where to compute: auto (the first GPU, else the CPU backend), gpu, cpu (the CPU backend, no OpenCL), opencl-cpu (e.g. PoCL), or P:D as `vdrop devices` lists.",
        valueName: "device"))
    var device: String = "auto"

    func validate() throws {
        do { _ = try DeviceChoice(parsing: device) } catch let error as DeviceSelectionError {
            throw ValidationError(error.message)
        }
    }

    var choice: DeviceChoice { (try? DeviceChoice(parsing: device)) ?? .automatic }
}
