import COpenCL
import Foundation

/// Owns one `cl_mem` of `count` Float32 values (or raw bytes) on a device.
///
/// Reads and writes are blocking, so host memory passed in need not outlive
/// the call; they are used to move data on and off the device, never inside
/// the training step.
public final class Buffer: @unchecked Sendable {
    public let context: Context
    /// Size in bytes.
    public let byteCount: Int
    public let handle: cl_mem

    /// Allocates `byteCount` bytes. A device that cannot hold them throws a
    /// ``CLError`` whose message says so (allocation is lazy on some drivers, so
    /// the first write can be where it fails).
    public init(context: Context, byteCount: Int) throws {
        precondition(byteCount > 0, "a buffer holds at least one byte")
        if UInt64(byteCount) > context.device.maxAllocation {
            throw DeviceMemoryError(requested: UInt64(byteCount), alreadyAllocated: nil, device: context.device)
        }
        var status: cl_int = 0
        guard let mem = clCreateBuffer(context.handle, cl_mem_flags(CL_MEM_READ_WRITE), byteCount, nil, &status) else {
            throw CLError(status: status == CL_SUCCESS ? CL_MEM_OBJECT_ALLOCATION_FAILURE : status, call: "clCreateBuffer(\(byteCount) bytes)")
        }
        self.context = context
        self.byteCount = byteCount
        self.handle = mem
    }

    /// A buffer of `count` floats.
    public convenience init(context: Context, floats count: Int) throws {
        try self.init(context: context, byteCount: max(count, 1) * MemoryLayout<Float>.stride)
    }

    deinit { clReleaseMemObject(handle) }

    /// Copies `values` into the buffer starting at float `offset`.
    public func write(_ values: [Float], at offset: Int = 0, queue: Queue) throws {
        try write(bytesOf: values, atByte: offset * MemoryLayout<Float>.stride, queue: queue)
    }

    /// Copies the raw bytes of `values` into the buffer at byte `byteOffset`.
    public func write<T>(bytesOf values: [T], atByte byteOffset: Int, queue: Queue) throws {
        let size = values.count * MemoryLayout<T>.stride
        if size == 0 { return }
        precondition(byteOffset >= 0 && byteOffset + size <= byteCount, "write past the end of a buffer")
        try values.withUnsafeBytes { raw in
            try clCheck(clEnqueueWriteBuffer(queue.handle, handle, cl_bool(CL_TRUE), byteOffset, size,
                                             raw.baseAddress, 0, nil, nil), "clEnqueueWriteBuffer")
        }
    }

    /// Reads `count` floats starting at float `offset`.
    public func read(count: Int, at offset: Int = 0, queue: Queue) throws -> [Float] {
        try read(Float.self, count: count, atByte: offset * MemoryLayout<Float>.stride, queue: queue)
    }

    /// Reads `count` values of type `T` starting at byte `byteOffset`.
    public func read<T>(_ type: T.Type, count: Int, atByte byteOffset: Int, queue: Queue) throws -> [T] {
        let size = count * MemoryLayout<T>.stride
        precondition(byteOffset >= 0 && byteOffset + size <= byteCount, "read past the end of a buffer")
        if count == 0 { return [] }
        return try [T](unsafeUninitializedCapacity: count) { storage, initialized in
            try clCheck(clEnqueueReadBuffer(queue.handle, handle, cl_bool(CL_TRUE), byteOffset, size,
                                            storage.baseAddress, 0, nil, nil), "clEnqueueReadBuffer")
            initialized = count
        }
    }

    /// Sets `count` floats from float `offset` to `value` (one enqueued fill, no host round trip).
    public func fill(_ value: Float, count: Int, at offset: Int = 0, queue: Queue) throws {
        if count == 0 { return }
        precondition(offset >= 0 && (offset + count) * 4 <= byteCount, "fill past the end of a buffer")
        var pattern = value
        try queue.enqueueCommand("fill") { event in
            try clCheck(clEnqueueFillBuffer(queue.handle, handle, &pattern, 4, offset * 4, count * 4, 0, nil, event),
                        "clEnqueueFillBuffer")
        }
    }

}

/// A request for more device memory than the device can give in one allocation.
public struct DeviceMemoryError: Error, CustomStringConvertible {
    public let requested: UInt64
    /// Bytes already allocated when the request would exceed the device's global memory; nil
    /// when the request alone exceeds the largest single allocation.
    public let alreadyAllocated: UInt64?
    public let device: Device

    public init(requested: UInt64, alreadyAllocated: UInt64?, device: Device) {
        self.requested = requested
        self.alreadyAllocated = alreadyAllocated
        self.device = device
    }

    public var description: String {
        let mib = { (bytes: UInt64) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        if let alreadyAllocated {
            return "The device \(device.name) has \(mib(device.globalMemory)) of memory; \(mib(alreadyAllocated)) are allocated and "
                + "\(mib(requested)) more do not fit. Use a smaller batch or a device with more memory."
        }
        return "The device \(device.name) cannot allocate \(mib(requested)) in one buffer (its limit is \(mib(device.maxAllocation)), "
            + "global memory \(mib(device.globalMemory))). Use a smaller batch or a device with more memory."
    }
}
