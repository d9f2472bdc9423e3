import COpenCL
import VDropCL

/// A tensor passes to a kernel as the two parameters every kernel takes for it,
/// `__global float *x, int x_offset`: one argument, so a buffer can never be paired
/// with another tensor's offset.
extension Tensor: KernelArgument {
    public var kernelParameterTypes: [String] { ["*", "int"] }
    public var kernelParameterCount: Int { 2 }

    public func set(on kernel: cl_kernel, index: cl_uint) throws {
        try deviceBuffer.set(on: kernel, index: index)
        try deviceOffset.set(on: kernel, index: index + 1)
    }
}

/// A tensor read as bytes (`__global const uchar *x, int x_byte_offset`): the data sets,
/// which stay bytes on the device, four to a Float slot.
struct BytesOf: KernelArgument {
    let tensor: Tensor

    init(_ tensor: Tensor) { self.tensor = tensor }

    var kernelParameterTypes: [String] { ["*", "int"] }
    var kernelParameterCount: Int { 2 }

    func set(on kernel: cl_kernel, index: cl_uint) throws {
        try tensor.deviceBuffer.set(on: kernel, index: index)
        try Int32(tensor.devicePosition * MemoryLayout<Float>.stride).set(on: kernel, index: index + 1)
    }
}

/// One tensor of each seed of a batch, in one buffer at a fixed stride, passed as
/// `__global float *x, int x_offset, int x_stride`: the first seed's tensor and the stride to the
/// next seed's (0 for a single network), so one launch serves every seed.
struct SeedStrided: KernelArgument {
    let first: Tensor
    let stride: Int

    /// `tensors`: seed s's at s; they must lie in one buffer at equal steps (``OpenCLBackend/seedStride(_:)``).
    init(_ tensors: [Tensor], backend: OpenCLBackend) {
        guard let stride = backend.seedStride(tensors) else {
            preconditionFailure("the seeds' tensors of one launch lie in one buffer at equal steps")
        }
        first = tensors[0]
        self.stride = stride
    }

    var kernelParameterTypes: [String] { ["*", "int", "int"] }
    var kernelParameterCount: Int { 3 }

    func set(on kernel: cl_kernel, index: cl_uint) throws {
        try first.set(on: kernel, index: index)
        try Int32(stride).set(on: kernel, index: index + 2)
    }
}

extension Bool: KernelArgument {
    /// A flag parameter: kernels take `int` 0 or 1 (OpenCL C 1.2 has no bool arguments).
    public var kernelParameterTypes: [String] { ["int"] }
    public func set(on kernel: cl_kernel, index: cl_uint) throws { try Int32(self ? 1 : 0).set(on: kernel, index: index) }
}

extension NoiseKey {
    /// The seed as the `uint2` (low, high) kernels take.
    var seedWords: SIMD2<UInt32> { SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }
    /// The step as the `uint2` (low, high) kernels take.
    var stepWords: SIMD2<UInt32> { SIMD2(UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)) }
    /// The kernels' `first`: the stream element of the batch's first value (32-bit, as the kernels' indices).
    func firstElementWord(perSample: Int) -> UInt32 { UInt32(truncatingIfNeeded: firstElement(perSample: perSample)) }
}
