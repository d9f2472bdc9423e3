// swift-tools-version: 5.4
// 5.4, not newer: from 5.5 SwiftPM renames an executable's entry point to `<module>_main` and
// links `main` to it, and a fuzz target has no entry point of its own (libFuzzer's `main` runs it).
import PackageDescription

/// libFuzzer targets for vdrop's parsers: one executable per parser, each exporting
/// `LLVMFuzzerTestOneInput`. A package of its own so `swift test` at the root never builds it;
/// `scripts/fuzz.sh` builds it with `-sanitize=fuzzer,address -parse-as-library` and runs it.
let parsers = ["IDX", "CIFAR", "Gzip", "SafeTensors", "TuningReport", "Exported", "ONNX"]

let package = Package(
    name: "vdrop-fuzz",
    dependencies: [.package(name: "vdrop", path: "..")],
    targets: parsers.map { parser in
        .executableTarget(name: "Fuzz\(parser)", dependencies: [.product(name: "VDrop", package: "vdrop")])
    }
)
