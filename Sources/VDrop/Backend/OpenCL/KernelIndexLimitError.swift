/// A tensor too large for the OpenCL kernels: they index a buffer's values with a 32-bit `int`
/// (the offsets every kernel takes are `int`), so no buffer may hold more than 2³¹ − 1 floats.
/// Said when the buffer is requested, before any kernel could index past it.
public struct KernelIndexLimitError: Error, CustomStringConvertible {
    /// The floats the buffer would hold.
    public let values: Int
    /// The device's name, for the message.
    public let device: String

    /// The most floats one buffer may hold.
    public static let limit = Int(Int32.max)

    public var description: String {
        let gib = Double(values) * Double(MemoryLayout<Float>.stride) / 1_073_741_824
        return "A tensor of \(values) values (\(String(format: "%.1f", gib)) GiB) is more than the \(Self.limit) "
            + "that vdrop's OpenCL kernels can index in one buffer on \(device). Use a smaller batch."
    }
}
