import ArgumentParser
import VDrop

/// `--device`, shared by every command that computes.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Where to compute: auto (the first GPU, else the CPU backend), gpu, cpu (the CPU backend, no OpenCL), opencl-cpu (e.g. PoCL), or P:D as `vdrop devices` lists.",
        valueName: "device"))
    var device: String = "auto"

    @Option(name: .long, help: ArgumentHelp(
        "CLBlast's SGEMM parameters and the products' routes on an OpenCL device: auto (what `vdrop tune` or a first use (--auto-tune) saved for the device, else CLBlast's own), library (CLBlast's own, vdrop's rule for the routes), or a file `vdrop tune` wrote.",
        valueName: "source"))
    var gemmParameters: String = "auto"

    @Option(name: .long, help: ArgumentHelp(
        "Which engine runs each product on an OpenCL device: auto (the routes `vdrop tune` or a first use (--auto-tune) measured, else vdrop's rule: on a GPU, products with few output tiles on its split-K kernel), clblast (every product on CLBlast) or tiled (every product on vdrop's 128 × 128 tiled kernel, split where few tiles), to compare them.",
        valueName: "mode"))
    var gemmRoutes: String = "auto"

    @Option(name: .long, help: ArgumentHelp(
        "Time the routes of the products a training step issues (CLBlast against vdrop's tiled kernel) the first time a model runs on a device, a few seconds once, and keep them in the report --gemm-parameters auto reads: auto (on OpenCL GPUs, with --gemm-parameters auto and --gemm-routes auto), on (on any OpenCL device, e.g. PoCL), or off. train, sweep, bench and check do it.",
        valueName: "mode"))
    var autoTune: String = "auto"

    @Option(name: .long, help: ArgumentHelp(
        "How conv layers compute their products on an OpenCL device: im2col (unfold x and x⊙x, then two GEMMs per pair; the default), fused (unfold x only; each layer's mean and variance products in one launch, and its two weight gradients in another) implicit (no unfolding: the paired products read image patches straight from x) or implicit-full (the input gradient too: a convolution of the output gradient with the flipped weights, no col2im); fused:T, implicit:T and implicit-full:T pick the paired kernel's tiles T (small, wide, tall, large, large-deep; default wide).",
        valueName: "route"))
    var convRoute: String = ConvRoute.standard.rawValue

    @Option(name: .long, help: ArgumentHelp(
        "How a batch of seeds (--seeds) runs its conv products where they go to CLBlast on an OpenCL device: per-seed (one product per seed, the default) or batched (one strided-batched CLBlast call for all seeds: fewer launches, a temporary allocation per call). Each seed's bits are the same either way.",
        valueName: "mode"))
    var seedProducts: String = SeedProducts.standard.rawValue

    /// The conv route --conv-route names (validated in validate()).
    var convRouteChoice: ConvRouteChoice { ConvRouteChoice(parsing: convRoute) ?? ConvRouteChoice(route: .standard) }

    var routing: GemmRouting? { ["auto": .automatic, "clblast": .clblastOnly, "tiled": .allTiled(.large)][gemmRoutes] }

    func validate() throws {
        do { _ = try DeviceChoice(parsing: device) } catch let error as DeviceSelectionError {
            throw FlagNames.validationError(error)
        }
        guard routing != nil else { throw ValidationError("--gemm-routes must be auto, clblast or tiled (not \(gemmRoutes)).") }
        if let problem = autoTuneProblem { throw ValidationError(problem) }
        guard ConvRouteChoice(parsing: convRoute) != nil else {
            throw ValidationError("--conv-route must be \(ConvRouteChoice.help) (not \(convRoute)).")
        }
        guard SeedProducts(rawValue: seedProducts) != nil else {
            throw ValidationError("--seed-products must be per-seed or batched (not \(seedProducts)).")
        }
    }

    var choice: DeviceChoice { (try? DeviceChoice(parsing: device)) ?? .automatic }

    /// The backend these options name, with its SGEMM parameters applied; `profiling` gives an
    /// OpenCL device a queue that can time each kernel.
    func makeBackend(profiling: Bool = false) throws -> any Backend {
        try makeBackend(choice, profiling: profiling)
    }

    /// The backend of `choice` (one of `--devices`) with these options' GEMM settings.
    func makeBackend(_ choice: DeviceChoice, profiling: Bool = false) throws -> any Backend {
        let backend = try BackendFactory.make(choice, gemm: GemmParameterSource(parsing: gemmParameters), profiling: profiling)
        backend.gemmControl?.gemmRouting = routing ?? .automatic
        backend.gemmControl?.useConvRoute(convRouteChoice)
        backend.gemmControl?.seedProducts = SeedProducts(rawValue: seedProducts) ?? .standard
        return backend
    }

    /// A line for a GPU that neither `vdrop tune` nor a first-use tune has fitted (the parameters
    /// left to auto, --auto-tune off), else nil: tuning is a minute once per device and the step
    /// is faster after it.
    func tuningHint(for backend: any Backend) -> String? {
        guard gemmParameters == "auto", autoTuneMode == .off, let device = backend.gemmControl, device.device.kind == .gpu,
              device.tunedGemmRoutes.isEmpty else { return nil }
        return "Untuned device: `vdrop tune --device \(device.device.platformIndex):\(device.device.index)` (about a minute, once) fits CLBlast and picks each product's engine; on an H200 it made VGG-like's step 1.21x faster. Without --auto-tune off, the routes are timed on first use."
    }
}
