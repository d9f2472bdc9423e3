/// The numbers host and kernels must agree on, defined once here and handed to every kernel
/// build as `-D` macros (a kernel file that needs one and is built without it fails to compile
/// with `#error`, instead of silently taking a default that may differ).
enum KernelConstants {
    /// The regularizer ids of `regularizers.clh`: ``Regularizer/Kind``'s raw values.
    static let regularizerDefinitions = [
        "REGULARIZER_ZERO": Regularizer.Kind.zero, "REGULARIZER_ARD": .ard,
        "REGULARIZER_GAMMA": .gamma, "REGULARIZER_SVDO": .svdo,
    ].sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value.rawValue)" }.joined(separator: " ")

    /// The work-group size of the LRT layers' kernels: `lrt_conv_bias_gradient`'s tree, and the
    /// local size of their 1-D launches (64 measured best for the epilogues on the H200).
    static let lrtGroupSize = 64

    /// The side of the square work-groups of the fused dense kernels (`-DTILE`).
    static let denseTile = 16

    /// The largest power of two up to `preferred` that a device with `maxWorkGroupSize` allows:
    /// the work-group trees of `work_group_sum.clh` need a power of two.
    static func treeGroupSize(preferred: Int, maxWorkGroupSize: Int) -> Int {
        var size = preferred
        while size > max(maxWorkGroupSize, 1) { size /= 2 }
        return size
    }
}
