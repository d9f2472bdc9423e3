import VDrop

extension ModelKind {
    /// The models a `--models` option names (comma- or space-separated), or nil if one is
    /// unknown or none is named.
    static func list(_ arguments: [String]) -> [ModelKind]? {
        let names = arguments.flatMap { $0.split(separator: ",") }
        let kinds = names.compactMap { ModelKind(rawValue: String($0)) }
        return !kinds.isEmpty && kinds.count == names.count ? kinds : nil
    }

    static let listHelp = "--models takes lenet300, lenet5 and vgglike, separated by commas."
}
