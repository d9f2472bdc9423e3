/// A sentence that may name settings, kept as parts so each reader can name them its own way:
/// `description` uses the settings' plain names, and `vdrop` its flags (``rendered(naming:)``).
///
/// Written as a string literal: `"\(.batch) must be at least 1; got \(batch)."`. A setting is
/// interpolated as a ``Setting``; any other value as its text.
public struct SettingMessage: ExpressibleByStringInterpolation, CustomStringConvertible, Equatable, Sendable {
    public enum Part: Equatable, Sendable {
        case text(String)
        case setting(Setting)
    }

    public private(set) var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }
    /// A sentence that names no setting, from text made elsewhere.
    public init(verbatim text: String) { parts = [.text(text)] }

    /// The settings the sentence names, in order.
    public var settings: [Setting] {
        parts.compactMap { if case .setting(let s) = $0 { return s } else { return nil } }
    }

    /// The sentence with each setting named by `name`.
    public func rendered(naming name: (Setting) -> String) -> String {
        parts.map { part -> String in
            switch part {
            case .text(let text): return text
            case .setting(let setting): return name(setting)
            }
        }.joined()
    }

    /// The sentence with the settings' plain names.
    public var description: String { rendered { $0.rawValue } }

    public static func + (first: SettingMessage, second: SettingMessage) -> SettingMessage {
        var joined = first
        joined.parts += second.parts
        return joined
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { parts.append(.text(literal)) } }
        public mutating func appendInterpolation(_ setting: Setting) { parts.append(.setting(setting)) }
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text(String(describing: value))) }
        public mutating func appendInterpolation(_ message: SettingMessage) { parts += message.parts }
    }
}

/// An error whose sentence may name settings; `vdrop` prints it with its flags.
public protocol SettingWordedError: Error, CustomStringConvertible {
    var wording: SettingMessage { get }
}

extension SettingWordedError {
    public var description: String { wording.description }
}
