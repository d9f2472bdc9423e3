/// A setting chosen by name from a fixed list (a model, an objective): parsed once where the
/// text enters (a flag, a checkpoint), with one sentence for a name not on the list.
public protocol NamedChoice: RawRepresentable, CaseIterable where RawValue == String {
    /// What one choice is called, with its article: "a model".
    static var choiceName: String { get }
}

extension NamedChoice {
    /// Parses a name; a sentence listing the names otherwise.
    public init(parsing text: String) throws {
        guard let choice = Self(rawValue: text) else {
            throw ConfigurationError("\"\(text)\" is not \(Self.choiceName); use \(Self.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = choice
    }
}
