// swift-tools-version: 6.1
import PackageDescription

/// The kernel files under `Kernels/`, embedded into the binary so `vdrop` runs from
/// any folder with no resource files beside it. A new file needs a line here and one
/// in `Kernels/KernelSources.swift` (SwiftPM caches this manifest, so listing the
/// folder at evaluation time would miss new files).
let kernelFiles: [Resource] = [
    "philox.clh",
    "regularizers.clh",
    "work_group_sum.clh",
    "adam.cl",
    "batch_norm.cl",
    "cross_entropy.cl",
    "csr_dense.cl",
    "gather.cl",
    "gemm_tiled.cl",
    "lrt_conv.cl",
    "lrt_conv_gemm.cl",
    "lrt_dense.cl",
    "max_pool.cl",
    "noise.cl",
    "reduce_sum.cl",
    "regularizer_gradient.cl",
    "regularizer_sum.cl",
    "relu.cl",
    "select_columns.cl",
    "sparse_conv.cl",
    "weight_variance.cl",
].map { .embedInCode($0) }

let package = Package(
    name: "vdrop",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "VDrop", targets: ["VDrop"]),
        .library(name: "VDropTools", targets: ["VDropTools"]),
        .executable(name: "vdrop", targets: ["vdrop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
        .systemLibrary(name: "CCPUID", path: "Sources/CCPUID"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CVectorLoops", path: "Sources/CVectorLoops"),
        // Open MPI (Debian's libopenmpi-dev), for runs over many processes and hosts.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),
        .target(name: "Kernels", path: "Kernels", exclude: [], resources: kernelFiles),
        // The layers, each a target so the compiler enforces them (a cycle is a compile error):
        // the OpenCL layer (no training and no command-line words), the engine, the tools that
        // measure, tune and verify it, and the CLI.
        .target(name: "VDropCL", dependencies: ["COpenCL", "Kernels"]),
        .target(name: "VDrop", dependencies: ["VDropCL", "COpenCL", "CCPUID", "CZlib", "CVectorLoops", "Kernels"]),
        .target(name: "VDropTools", dependencies: ["VDrop", "VDropCL"]),
        // The MPI transport, apart from the engine: the engine knows nothing of processes.
        .target(name: "VDropMPI", dependencies: ["VDrop", "CMPI"]),
        .executableTarget(
            name: "vdrop",
            dependencies: ["VDrop", "VDropCL", "VDropTools", "VDropMPI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "VDropTests", dependencies: ["VDrop", "VDropCL", "VDropTools", "COpenCL"]),
    ],
    swiftLanguageModes: [.v5]
)
