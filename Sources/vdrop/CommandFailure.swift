/// A command that ran and failed for a reason the command itself states (a device that
/// disagrees, no GPU to tune): the sentence, already in the command line's words.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
