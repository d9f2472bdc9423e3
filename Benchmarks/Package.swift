// swift-tools-version: 6.1
// vdrop's benchmark suite (ordo-one/benchmark), a package of its own so that `swift test`
// in the project never builds it. Run from this folder:
//   swift package benchmark                 # all benchmarks
//   swift package benchmark baseline update # record a baseline, then `baseline check` for regressions
import PackageDescription

let package = Package(
    name: "VDropBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "vdrop", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "VDropBenchmarks",
            dependencies: [
                .product(name: "VDrop", package: "vdrop"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/VDropBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
