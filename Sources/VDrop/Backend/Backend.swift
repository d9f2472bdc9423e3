/// The operations every backend provides on its own tensors.
///
/// Two backends implement them: ``OpenCLBackend`` (the product: kernels in
/// `Kernels/` and CLBlast GEMMs, all enqueued on one in-order queue) and
/// ``CPUBackend`` (Float32 on the host: OpenBLAS GEMMs and threaded Swift loops).
/// Tests hold them to the same numbers on the same inputs and the same Philox noise.
///
/// The operations are grouped by concept, one protocol per file:
/// ``BackendCore`` here (memory and GEMM), then the layer, activation,
/// loss and optimizer operations beside it. ``Backend`` is all of them.
public protocol BackendCore: AnyObject {
    /// A short name for messages and benchmark tables, e.g. "cpu" or "opencl:NVIDIA H200".
    var name: String { get }

    /// New storage of `capacity` Float32 values, zeroed.
    func makeStorage(capacity: Int) throws -> TensorStorage

    /// Bytes of storage this backend has made so far (never decreases): with every buffer
    /// allocated when a network is built, the difference across a build is what it needs.
    var allocatedBytes: Int { get }

    /// Copies `values` (exactly `tensor.count` of them) into `tensor`.
    func upload(_ values: [Float], to tensor: Tensor) throws

    /// Copies raw bytes into `tensor`'s storage from its start (at most 4·count bytes): how byte
    /// data, packed four to a Float32 slot, reaches a backend.
    func uploadBytes(_ bytes: [UInt8], to tensor: Tensor) throws

    /// Copies `tensor` back to the host (waits for the work that writes it).
    func download(_ tensor: Tensor) throws -> [Float]

    /// Sets every value of `tensor` to `value`.
    func fill(_ tensor: Tensor, with value: Float) throws

    /// Row-major C = α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n and C m×n,
    /// each tightly packed (leading dimension = its column count as stored).
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
              alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws

    /// Waits until all enqueued work has finished.
    func synchronize() throws

    /// The device's own counters and queue; nil for the CPU backend.
    var deviceActivity: DeviceActivity? { get }

    /// The device's GEMM settings; nil for the CPU backend.
    var gemmControl: GemmControl? { get }

    /// While not nil, told of every product (``ProductObserver``): how the tools watch a backend.
    var productObserver: ProductObserver? { get set }

    /// Hands the work enqueued so far to the device without waiting for it. A training step
    /// ends with this: drivers may otherwise hold a step's launches back until some later wait,
    /// leaving the device idle while the host enqueues the next step.
    func submit() throws
}

extension BackendCore {
    /// A tensor with storage of its own, zeroed.
    public func allocate(_ shape: [Int]) throws -> Tensor {
        Tensor(storage: try makeStorage(capacity: max(shape.reduce(1, *), 1)), offset: 0, shape: shape)
    }

    /// A tensor with storage of its own holding `values`.
    public func tensor(_ values: [Float], shape: [Int]) throws -> Tensor {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        let tensor = try allocate(shape)
        try upload(values, to: tensor)
        return tensor
    }
}
