/// A file holding a network: a checkpoint, a safetensors file (a checkpoint's container, an
/// export, `--init-from` weights), an exported csr/compact network or an ONNX file.
public enum ModelFile: FileKind {}

/// A file holding a network that cannot be used, with the file and what is wrong with it.
public typealias ModelFileError = FileError<ModelFile>
