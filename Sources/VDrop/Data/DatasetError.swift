/// A data file or folder that cannot be used, with the file and what is wrong with it.
public struct DatasetError: FileContentError {
    public let file: String
    public let explanation: SettingMessage

    public init(file: String, problem: SettingMessage) {
        self.file = file
        self.explanation = problem
    }
}
