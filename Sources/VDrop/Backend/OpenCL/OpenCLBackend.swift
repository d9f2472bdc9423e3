import COpenCL
import Foundation
import VDropCL

/// Device memory for the OpenCL backend: one buffer, many tensors at offsets.
public final class DeviceStorage: TensorStorage, @unchecked Sendable {
    public let capacity: Int
    public let buffer: Buffer
    /// Where this storage starts in `buffer`, in Float32 values: 0, but for one seed's share of a
    /// buffer that holds every seed's (``SeedStoragePool``), so that one launch reaches them all.
    public let base: Int
    /// Nil for a share of a pooled buffer: the pool's first storage counts the whole buffer.
    private let ledger: DeviceMemoryLedger?

    init(buffer: Buffer, capacity: Int, ledger: DeviceMemoryLedger?, base: Int = 0) {
        self.buffer = buffer
        self.capacity = capacity
        self.base = base
        self.ledger = ledger
        ledger?.liveBytes += buffer.byteCount
    }

    deinit { ledger?.liveBytes -= buffer.byteCount }
}

/// Bytes of device storage alive now, shared by a backend and its storages.
final class DeviceMemoryLedger: @unchecked Sendable {
    var liveBytes = 0
}

extension Tensor {
    /// The device buffer holding this tensor. Only for tensors of an ``OpenCLBackend``.
    @inline(__always)
    public var deviceBuffer: Buffer {
        guard let device = storage as? DeviceStorage else {
            preconditionFailure("an OpenCL operation was given a tensor of another backend")
        }
        return device.buffer
    }

    /// The offset in the device buffer, in Float32 values (the storage's base plus the offset).
    @inline(__always)
    public var devicePosition: Int { ((storage as? DeviceStorage)?.base ?? 0) + offset }

    /// The offset as the `int` kernels take next to the buffer.
    @inline(__always)
    public var deviceOffset: Int32 { Int32(devicePosition) }
}

/// The OpenCL backend: kernels from `Kernels/` and CLBlast GEMMs on one in-order queue.
///
/// Nothing here waits for the device except ``download(_:)`` and
/// ``synchronize()``, so a training step is a stream of enqueued commands.
public final class OpenCLBackend: BackendCore, DeviceActivity, GemmControl, @unchecked Sendable {
    public let device: Device
    public let context: Context
    public let queue: Queue
    public let programs: ProgramCache
    public var name: String { "opencl:\(device.name)" }
    private var kernels: [String: Kernel] = [:]
    /// Small buffers operations keep between calls (the partial sums of reductions), by name.
    private var scratch: [String: Tensor] = [:]
    /// While a ``SeedBatch`` builds its networks: where their storage comes from.
    var seedPool: SeedStoragePool?

    /// `profiling` makes the queue able to time each kernel (`vdrop bench --profile`).
    public init(device: Device, profiling: Bool = false) throws {
        self.device = device
        context = try Context(device: device)
        queue = try Queue(context: context, profiling: profiling)
        programs = ProgramCache(context: context)
    }

    /// Which products leave CLBlast for `gemm_tiled.cl` (see ``gemmRoute(for:)``).
    public var gemmRouting: GemmRouting = .automatic

    /// How conv layers compute their products (``ConvRoute``).
    public var convRoute: ConvRoute = .standard
    /// How a seed batch's products on CLBlast run (``SeedProducts``).
    public var seedProducts: SeedProducts = .standard
    /// The tiles of `lrt_conv_gemm.cl` on the fused and implicit conv routes.
    public var convGemmConfiguration: TiledGemmConfiguration = ConvRouteChoice.standardTiles
    /// Slices of k for `lrt_conv_gemm.cl`, nil for ``SplitKPlan``'s choice (tests set it to
    /// exercise the split on a device that would not split).
    public var convGemmSlices: Int?

    /// The routes `vdrop tune` measured for this device, by shape (``useGemmParameters(_:)`` sets them).
    public var tunedGemmRoutes: [GemmShape: GemmRoute] = [:]

    /// Which SGEMM parameters CLBlast uses here, in words (see ``useGemmParameters(_:)``).
    public internal(set) var gemmParameters = "CLBlast's own"

    /// Kernels enqueued so far (own kernels, fills, copies and CLBlast's launches as counted).
    public var kernelsEnqueued: Int { queue.kernelsEnqueued }

    /// The kernel `name` from the embedded file `file`, built once with `options` and reused.
    public func kernel(_ name: String, in file: String, options: String = "") throws -> Kernel {
        let key = file + "\u{0}" + name + "\u{0}" + options
        if let kernel = kernels[key] { return kernel }
        let kernel = try programs.program(file, options: options).kernel(name)
        kernels[key] = kernel
        return kernel
    }

    /// A scratch tensor of at least `count` values kept under `name`: made on first use and
    /// reused by every later call, so no operation allocates inside the training step.
    func scratchTensor(_ name: String, count: Int) throws -> Tensor {
        if let tensor = scratch[name], tensor.count >= count { return tensor }
        // Shared by every network of the backend: never a seed's share of a pool.
        let tensor = Tensor(storage: try makeBuffer(capacity: max(count, 1)), offset: 0, shape: [count])
        scratch[name] = tensor
        return tensor
    }

    /// Frees the scratch buffer `name`; the next ``scratchTensor(_:count:)`` allocates it anew.
    func releaseScratch(_ name: String) { scratch[name] = nil }

    /// Work-group size of 1-D launches that name none. Left to the driver, OpenCL 1.2 must pick
    /// a size that divides the global size: VGG-like's Adam update runs over 14 991 946 =
    /// 2 × 7 495 973 (a prime) items, so only groups of 1 or 2 fit, and on an H200 it took 4.5 ms
    /// per step, against 0.36 ms for an arena of 14 989 268 = 4·7·257·2083 items in the operation
    /// benchmark. The global size is rounded up instead; every such kernel returns for items past
    /// its count.
    static let elementwiseGroupSize = 256

    /// Sets the arguments of `name` from `file` and enqueues it over `global` work items, in
    /// groups of `local` (1-D launches without one: ``elementwiseGroupSize``); `label` names it
    /// in a profile instead of `name`, and is only evaluated while the queue records.
    public func launch(_ name: String, in file: String, options: String = "", global: [Int], local: [Int]? = nil,
                       label: @autoclosure () -> String? = nil, _ arguments: KernelArgument...) throws {
        let kernel = try kernel(name, in: file, options: options)
        try kernel.setArguments(arguments)
        let groups = local ?? (global.count == 1 ? [min(Self.elementwiseGroupSize, device.maxWorkGroupSize)] : nil)
        try queue.enqueue(kernel, global: global, local: groups, label: label())
    }

    public private(set) var allocatedBytes = 0
    private let ledger = DeviceMemoryLedger()

    /// Bytes of this backend's storage alive now.
    public var liveBytes: Int { ledger.liveBytes }

    public func makeStorage(capacity: Int) throws -> TensorStorage {
        if let seedPool { return try seedPool.storage(capacity: capacity, backend: self) }
        return try makeBuffer(capacity: capacity)
    }

    /// A zeroed buffer of its own for `capacity` values (of `floats` values when larger: a pool's).
    func makeBuffer(capacity: Int, floats: Int? = nil) throws -> DeviceStorage {
        let size = max(floats ?? capacity, capacity, 1)
        guard size <= KernelIndexLimitError.limit else { throw KernelIndexLimitError(values: size, device: device.name) }
        let bytes = UInt64(size * MemoryLayout<Float>.stride)
        // Drivers allocate lazily, so an over-full device would fail later, mid-step; say it now.
        if UInt64(ledger.liveBytes) + bytes > device.globalMemory {
            throw DeviceMemoryError(requested: bytes, alreadyAllocated: UInt64(ledger.liveBytes), device: device)
        }
        let buffer = try Buffer(context: context, floats: size)
        allocatedBytes += buffer.byteCount
        try buffer.fill(0, count: size, queue: queue)
        return DeviceStorage(buffer: buffer, capacity: capacity, ledger: ledger)
    }

    public func upload(_ values: [Float], to tensor: Tensor) throws {
        precondition(values.count == tensor.count, "upload of \(values.count) values into \(tensor)")
        try tensor.deviceBuffer.write(values, at: tensor.devicePosition, queue: queue)
    }

    public func uploadBytes(_ bytes: [UInt8], to tensor: Tensor) throws {
        precondition(bytes.count <= 4 * tensor.count, "\(bytes.count) bytes do not fit \(tensor)")
        try tensor.deviceBuffer.write(bytesOf: bytes, atByte: tensor.devicePosition * MemoryLayout<Float>.stride, queue: queue)
    }

    public func download(_ tensor: Tensor) throws -> [Float] {
        try tensor.deviceBuffer.read(count: tensor.count, at: tensor.devicePosition, queue: queue)
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        try tensor.deviceBuffer.fill(value, count: tensor.count, at: tensor.devicePosition, queue: queue)
    }

    /// What CLBlast's temporary-buffer size depends on.
    private struct GemmSignature: Hashable {
        let transposeA, transposeB: Bool
        let m, n, k, aOffset, bOffset, cOffset: Int
    }
    /// CLBlast's temporary-buffer size per GEMM signature: a step repeats the same signatures,
    /// so after the first step no GEMM asks CLBlast for a size or allocates.
    private var gemmTemporaryBytes: [GemmSignature: Int] = [:]

    public var productObserver: ProductObserver?
    public var deviceActivity: DeviceActivity? { self }
    public var gemmControl: GemmControl? { self }

    /// Makes `parameters` the SGEMM parameters CLBlast uses on this device (for every backend
    /// on it in this process). The temporary-buffer sizes known so far depend on the tile sizes,
    /// so they are asked for again.
    public func applyGemmParameters(_ parameters: CLBlastParameters) throws {
        try parameters.apply(to: device)
        gemmTemporaryBytes.removeAll()
    }

    /// C = α·op(A)·op(B) + β·C on the route ``gemmRoute(for:)`` picks.
    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws {
        let shape = GemmShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
        try gemm(shape, route: gemmRoute(for: shape), alpha: alpha, a: a, b: b, beta: beta, c: c)
    }

    /// C = α·op(A)·op(B) + β·C on `route`; a tiled route the device cannot run falls back to CLBlast.
    public func gemm(_ shape: GemmShape, route: GemmRoute, alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws {
        precondition(a.count >= shape.m * shape.k && b.count >= shape.k * shape.n && c.count >= shape.m * shape.n, "gemm operands too small")
        if shape.m == 0 || shape.n == 0 { return }
        try observed(shape, route: route, alpha: alpha, a: a, b: b, beta: beta, c: c) {
            try computeGemm(shape, route: route, alpha: alpha, a: a, b: b, beta: beta, c: c)
        }
    }

    /// The product itself. CLBlast runs with a temporary buffer this backend keeps
    /// (`CLBlastSgemmWithTempBuffer`): plain `CLBlastSgemm` would allocate and free one inside
    /// every call that pads its operands.
    private func computeGemm(_ shape: GemmShape, route: GemmRoute, alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws {
        let (transposeA, transposeB, m, n, k) = (shape.transposeA, shape.transposeB, shape.m, shape.n, shape.k)
        if case .tiled(let configuration, let slices) = route,
           try gemmTiled(shape, configuration: configuration, slices: slices, alpha: alpha, a: a, b: b, beta: beta, c: c) { return }
        var queueHandle: cl_command_queue? = queue.handle
        let layout = CLBlastLayoutRowMajor
        let (ta, tb) = shape.clblastTransposes
        let (lda, ldb, _) = shape.leadingDimensions
        let signature = GemmSignature(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      aOffset: a.devicePosition, bOffset: b.devicePosition, cOffset: c.devicePosition)
        let bytes: Int
        if let known = gemmTemporaryBytes[signature] {
            bytes = known
        } else {
            var size = 0
            try clblastCheck(CLBlastSGemmTempBufferSize(layout, ta, tb, m, n, k, a.devicePosition, lda, b.devicePosition, ldb, c.devicePosition, n,
                                                        &queueHandle, &size), "CLBlastSGemmTempBufferSize(\(m)x\(n)x\(k))")
            gemmTemporaryBytes[signature] = size
            bytes = size
        }
        let temporary = try scratchTensor("clblast.temporary", count: max(1, (bytes + 3) / 4))
        try queue.enqueueCommand("sgemm \(m)×\(n)×\(k) \(shape.transposeLetters)", spansPrecedingGap: true) { event in
            try clblastCheck(
                CLBlastSgemmWithTempBuffer(layout, ta, tb, m, n, k, alpha,
                                           a.deviceBuffer.handle, a.devicePosition, lda, b.deviceBuffer.handle, b.devicePosition, ldb,
                                           beta, c.deviceBuffer.handle, c.devicePosition, n, &queueHandle, event, temporary.deviceBuffer.handle),
                "CLBlastSgemm(\(m)x\(n)x\(k))")
        }
    }

    public func synchronize() throws { try queue.finish() }

    public func submit() throws { try queue.flush() }
}
