import Foundation

/// Finds and loads a training and test set: Fashion-MNIST from its Debian package by
/// default, or the IDX or CIFAR-10 files in a folder the user names with `--data`.
public enum DataSource {
    /// Where Debian's `dataset-fashion-mnist` package puts its files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// Loads the data in `directory` (nil: the default Fashion-MNIST) and checks it suits `model`.
    public static func load(directory: String?, model: ModelKind) throws -> DataSplit {
        let folder = directory ?? defaultDirectory
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            if directory == nil {
                throw DatasetError(file: folder, problem: "does not exist: the default data set, Fashion-MNIST, comes from the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist, or run make train, which installs it), or name a folder with \(.data).")
            }
            throw DatasetError(file: folder, problem: "is not a folder; \(.data) names a folder holding MNIST-style IDX files or CIFAR-10 binary batches.")
        }
        let split: DataSplit
        if let idx = idxFiles(in: folder) {
            let name = directory == nil ? "fashion-mnist" : (folder as NSString).lastPathComponent
            split = DataSplit(train: try IDXFile.dataset(images: idx.trainImages, labels: idx.trainLabels, name: "\(name) train"),
                              test: try IDXFile.dataset(images: idx.testImages, labels: idx.testLabels, name: "\(name) test"),
                              source: folder)
        } else if let cifar = cifarFolder(folder) {
            split = try CIFAR10File.split(directory: cifar)
        } else {
            throw DatasetError(file: folder, problem: "holds neither MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz) nor CIFAR-10 binary batches (data_batch_1.bin … data_batch_5.bin, test_batch.bin).")
        }
        for (role, set) in [("training", split.train), ("test", split.test)] where set.count == 0 {
            throw DatasetError(file: folder, problem: "holds no samples in its \(role) set (\(set.name)); a run needs both.")
        }
        guard split.train.sampleShape == model.sampleShape, split.test.sampleShape == model.sampleShape else {
            throw DatasetError(file: folder, problem: "holds \(split.train.sampleShape.map(String.init).joined(separator: "×")) images, but \(model.rawValue) takes \(model.sampleShape.map(String.init).joined(separator: "×")) (lenet300 and lenet5 take MNIST-style 28×28 images, vgglike CIFAR-10's 3×32×32).")
        }
        return split
    }

    struct IDXPaths { let trainImages, trainLabels, testImages, testLabels: String }

    /// The four IDX files of a folder, each raw or gzipped; nil when the training images are absent.
    static func idxFiles(in folder: String) -> IDXPaths? {
        func find(_ stem: String) -> String? {
            for candidate in [stem, stem + ".gz"] {
                let path = (folder as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            return nil
        }
        guard let trainImages = find("train-images-idx3-ubyte") else { return nil }
        let missing = { (stem: String) in (folder as NSString).appendingPathComponent(stem) }
        return IDXPaths(trainImages: trainImages,
                        trainLabels: find("train-labels-idx1-ubyte") ?? missing("train-labels-idx1-ubyte"),
                        testImages: find("t10k-images-idx3-ubyte") ?? missing("t10k-images-idx3-ubyte"),
                        testLabels: find("t10k-labels-idx1-ubyte") ?? missing("t10k-labels-idx1-ubyte"))
    }

    /// The folder holding CIFAR-10's batches: the folder itself or its `cifar-10-batches-bin`.
    static func cifarFolder(_ folder: String) -> String? {
        for candidate in [folder, (folder as NSString).appendingPathComponent("cifar-10-batches-bin")] {
            if FileManager.default.fileExists(atPath: (candidate as NSString).appendingPathComponent("data_batch_1.bin")) { return candidate }
        }
        return nil
    }
}
