/// A file that cannot be used, with the file and what is wrong with it. Each kind of file has
/// its own error type (``DatasetError``, ``ModelFileError``, ``TuningReportError``), so a
/// caller can tell a bad data set from a bad checkpoint; they share this shape.
public protocol FileContentError: SettingWordedError, Equatable {
    var file: String { get }
    /// What is wrong, as a sentence that may name settings.
    var explanation: SettingMessage { get }
}

extension FileContentError {
    public var wording: SettingMessage { "\(file): \(explanation)" }
    /// What is wrong, with the settings' plain names.
    public var problem: String { explanation.description }
}
