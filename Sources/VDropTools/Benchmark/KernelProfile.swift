import VDropCL
import VDrop

/// Where a training step's device time goes, kernel by kernel (`vdrop bench --profile`).
///
/// Built from the profiling events of a few whole steps on an in-order queue. `busy` is the time
/// kernels ran; `span` is from the first command's start to the last one's end. Their difference
/// is time the device sat idle between commands, waiting for the host to launch the next one:
/// on a launch-bound step it is most of the span, and only fewer launches help.
public struct KernelProfile: Codable, Equatable, Sendable {
    /// One kernel name's share of a step.
    public struct Entry: Codable, Equatable, Sendable {
        public var name: String
        public var launchesPerStep: Double
        public var msPerStep: Double
        /// Its part of the step's busy time.
        public var share: Double
    }

    public var steps: Int
    public var spanMsPerStep: Double
    public var busyMsPerStep: Double
    /// Kernels by time, the slowest first.
    public var entries: [Entry]

    /// Sums `commands` (recorded over `steps` steps, in enqueue order) by name. A command that
    /// spans the gap before it (a CLBlast routine, whose event times only its last kernel) is
    /// counted from the previous command's end, so its padding kernels are in its time.
    public init(commands: [RecordedCommand], steps: Int) {
        precondition(steps >= 1, "a profile covers at least one step")
        self.steps = steps
        var total: [String: (launches: Int, nanoseconds: UInt64)] = [:]
        var order: [String] = []
        var previousEnd: UInt64?
        var busy: UInt64 = 0
        for command in commands {
            var start = command.startNanoseconds
            if command.spansPrecedingGap, let previousEnd, previousEnd < start { start = previousEnd }
            let duration = command.endNanoseconds >= start ? command.endNanoseconds - start : 0
            if total[command.name] == nil { order.append(command.name) }
            total[command.name, default: (0, 0)].launches += 1
            total[command.name, default: (0, 0)].nanoseconds += duration
            busy += duration
            previousEnd = max(previousEnd ?? 0, command.endNanoseconds)
        }
        let first = commands.map(\.startNanoseconds).min() ?? 0
        let last = commands.map(\.endNanoseconds).max() ?? 0
        let perStep = { (nanoseconds: UInt64) in Double(nanoseconds) / 1e6 / Double(steps) }
        spanMsPerStep = perStep(last >= first ? last - first : 0)
        busyMsPerStep = perStep(busy)
        entries = order.map { name in
            let (launches, nanoseconds) = total[name]!
            return Entry(name: name, launchesPerStep: Double(launches) / Double(steps), msPerStep: perStep(nanoseconds),
                         share: busy == 0 ? 0 : Double(nanoseconds) / Double(busy))
        }.sorted { $0.msPerStep > $1.msPerStep }
    }
}
