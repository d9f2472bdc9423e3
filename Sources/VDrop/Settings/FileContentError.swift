/// A file that cannot be used, with the file and what is wrong with it. Each kind of file has
/// its own error type (``DatasetError``, ``ModelFileError``, ``TuningReportError``,
/// ``RunFolderError``), so a caller can tell a bad data set from a bad checkpoint; they are one
/// generic type, told apart by the kind.
public protocol FileContentError: SettingWordedError {
    var file: String { get }
    /// What is wrong, as a sentence that may name settings.
    var explanation: SettingMessage { get }
}

/// The kind of file a ``FileError`` is about.
public protocol FileKind {}

public struct FileError<Kind: FileKind>: FileContentError, Equatable {
    public let file: String
    public let explanation: SettingMessage

    public init(file: String, problem: SettingMessage) {
        self.file = file
        self.explanation = problem
    }

    public var wording: SettingMessage { "\(file): \(explanation)" }
    /// What is wrong, with the settings' plain names.
    public var problem: String { explanation.description }
}
