// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Every `.cl` file under `Kernels/` is embedded into the binary, so `vdrop`
/// runs from any folder with no resource files beside it. Listing the folder
/// here means a new kernel file needs no edit of this manifest.
let kernelFiles: [Resource] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Kernels")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".cl") || $0.hasSuffix(".clh") }.sorted().map { .embedInCode($0) }
}()

let package = Package(
    name: "vdrop",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "VDrop", targets: ["VDrop"]),
        .executable(name: "vdrop", targets: ["vdrop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Kernels", path: "Kernels", exclude: [], resources: kernelFiles),
        .target(name: "VDrop", dependencies: ["COpenCL", "CBLAS", "CZlib", "Kernels"]),
        .executableTarget(
            name: "vdrop",
            dependencies: ["VDrop", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "VDropTests", dependencies: ["VDrop", "COpenCL"]),
    ],
    swiftLanguageModes: [.v5]
)
