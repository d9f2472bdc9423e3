import Foundation

/// An MNIST-style folder of raw IDX files (28 × 28 images of bytes, byte labels), written by the
/// tests that run the vdrop binary on data of their own.
enum IDXFolder {
    static func write(at path: String, trainPixels: [UInt8], trainLabels: [UInt8], testPixels: [UInt8], testLabels: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        func write(_ name: String, _ dimensions: [Int], _ bytes: [UInt8]) throws {
            var header: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
            for d in dimensions { header += withUnsafeBytes(of: UInt32(d).bigEndian, Array.init) }
            try Data(header + bytes).write(to: URL(fileURLWithPath: path + "/" + name))
        }
        try write("train-images-idx3-ubyte", [trainLabels.count, 28, 28], trainPixels)
        try write("train-labels-idx1-ubyte", [trainLabels.count], trainLabels)
        try write("t10k-images-idx3-ubyte", [testLabels.count, 28, 28], testPixels)
        try write("t10k-labels-idx1-ubyte", [testLabels.count], testLabels)
    }
}
