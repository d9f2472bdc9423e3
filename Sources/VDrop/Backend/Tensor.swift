/// Where a backend keeps numbers: host memory for the CPU backend, a device buffer for OpenCL.
///
/// One storage usually holds many tensors at different offsets (an arena), so
/// zeroing all gradients is one fill and the optimizer is one launch.
public protocol TensorStorage: AnyObject {
    /// Capacity in Float32 values.
    var capacity: Int { get }
}

/// A view of `shape.product` Float32 values at `offset` in a backend's storage.
///
/// Tensors are row-major; images are NCHW; dense weights are [out, in] and conv
/// weights [out, in, k, k] (PyTorch's layouts, so exported weights load there as they are).
/// Integers that tensors carry (class labels, max-pool window positions) are
/// stored as exactly representable Float32 values.
public struct Tensor: CustomStringConvertible {
    public let storage: TensorStorage
    /// Offset in Float32 values from the start of `storage`.
    public let offset: Int
    public let shape: [Int]

    public init(storage: TensorStorage, offset: Int, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor dimensions are non-negative")
        let count = shape.reduce(1, *)
        precondition(offset >= 0 && offset + count <= storage.capacity, "tensor \(shape) at \(offset) exceeds its storage of \(storage.capacity)")
        self.storage = storage
        self.offset = offset
        self.shape = shape
    }

    /// Number of values.
    public var count: Int { shape.reduce(1, *) }

    /// The same values seen with another shape of the same count (flatten is a reshape).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape \(shape) to \(newShape) changes the count")
        return Tensor(storage: storage, offset: offset, shape: newShape)
    }

    /// The sub-tensor of `shape` that starts `start` values into this one.
    public func slice(from start: Int, shape sliceShape: [Int]) -> Tensor {
        Tensor(storage: storage, offset: offset + start, shape: sliceShape)
    }

    public var description: String { "Tensor\(shape)@\(offset)" }
}
