import Foundation

extension InferenceModel {
    /// The bytes of `path` when it is an ONNX file (named .onnx, or starting as one does), else nil.
    /// ONNX files are refused past 2 GiB, protobuf's own limit for one message.
    static func onnxContents(of path: String) throws -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 9)) ?? Data()
        guard path.hasSuffix(".onnx") || looksLikeONNX(head) else { return nil }
        let size = (try? handle.seekToEnd()) ?? 0
        guard size <= 1 << 31 else {
            throw ModelFileError(file: path, problem: "holds \(size) bytes, more than the 2 GiB one ONNX protobuf may hold; vdrop reads self-contained ONNX files only.")
        }
        try handle.seek(toOffset: 0)
        return try handle.readToEnd() ?? Data()
    }
}
