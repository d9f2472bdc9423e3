import Foundation
import VDrop

/// An IDX file, raw or gzipped; one of three dimensions is paired with zero labels (one
/// dimension with 1×1 images) so the data set's own checks run too. The partner is made only
/// for up to 2¹⁶ samples: 0×0 images declare billions in no bytes, and the partner is the
/// harness's allocation, not the parser's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let file = try? IDXFile.read(data: data, name: "fuzz"), file.dimensions[0] <= 1 << 16 else { return 0 }
    switch file.dimensions.count {
    case 3:
        let labels = (dimensions: [file.dimensions[0]], values: [UInt8](repeating: 0, count: file.dimensions[0]))
        _ = try? IDXFile.dataset(images: file, labels: labels, imagePath: "images", labelPath: "labels", name: "fuzz")
    case 1:
        let images = (dimensions: [file.dimensions[0], 1, 1], values: [UInt8](repeating: 0, count: file.dimensions[0]))
        _ = try? IDXFile.dataset(images: images, labels: file, imagePath: "images", labelPath: "labels", name: "fuzz")
    default:
        break
    }
    return 0
}
