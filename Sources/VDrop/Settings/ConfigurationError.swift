/// A setting or a combination of settings out of range, said as a sentence that names them.
public struct ConfigurationError: SettingWordedError, Equatable {
    public let wording: SettingMessage
    public init(_ wording: SettingMessage) { self.wording = wording }
    /// The sentence with the settings' plain names.
    public var message: String { wording.description }
}
