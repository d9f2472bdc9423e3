/// A file holding a network that cannot be used: a checkpoint, a safetensors file (a
/// checkpoint's container, an export, `--init-from` weights), an exported csr/compact network
/// or an ONNX file. The file and what is wrong with it.
public struct ModelFileError: FileContentError {
    public let file: String
    public let explanation: SettingMessage

    public init(file: String, problem: SettingMessage) {
        self.file = file
        self.explanation = problem
    }
}
