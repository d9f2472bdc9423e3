/// One command's execution on the device, as its profiling event timed it.
public struct RecordedCommand: Sendable, Equatable {
    /// The kernel's name, or what a fill or library routine did.
    public var name: String
    /// True for a library routine whose event covers only its last kernel (see `Queue.enqueueCommand`).
    public var spansPrecedingGap: Bool
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64

    public init(name: String, spansPrecedingGap: Bool = false, startNanoseconds: UInt64, endNanoseconds: UInt64) {
        self.name = name
        self.spansPrecedingGap = spansPrecedingGap
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
    }
}
