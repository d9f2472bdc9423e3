import Dispatch
import Foundation

/// Host memory for the CPU backend: one aligned allocation, freed with the storage.
public final class HostStorage: TensorStorage, @unchecked Sendable {
    public let capacity: Int
    public let base: UnsafeMutablePointer<Float>

    init(capacity: Int) {
        self.capacity = capacity
        // 64-byte alignment keeps SIMD loads and OpenBLAS on whole cache lines.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1) * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        base.initialize(repeating: 0, count: max(capacity, 1))
    }

    deinit { base.deallocate() }
}

extension Tensor {
    /// The tensor's first value in host memory. Only for tensors of a ``CPUBackend``.
    @inline(__always)
    public var hostPointer: UnsafeMutablePointer<Float> {
        guard let host = storage as? HostStorage else {
            preconditionFailure("a CPU operation was given a tensor of another backend")
        }
        return host.base + offset
    }
}

/// The CPU backend: Float32 on the host, GEMMs through OpenBLAS's `cblas_sgemm` (loaded at
/// first use with kernels chosen for this processor, see ``BLASLibrary``), the rest as Swift
/// loops split over threads with ``parallelFor(_:grain:_:)``.
///
/// It is a real training path for machines without OpenCL, the baseline of
/// every benchmark, and the oracle the OpenCL backend is tested against.
public final class CPUBackend: BackendCore, @unchecked Sendable {
    public let name = "cpu"
    /// Threads for loops (and OpenBLAS); defaults to the cores this process may run on.
    public let threadCount: Int
    /// The slabs a large product is split into, whatever the thread count (see ``gemm``).
    static let productSlabs = 8

    /// OpenBLAS, or why it could not be loaded; ``gemm`` throws that sentence. (Creating the
    /// backend does not throw: ``BackendFactory`` loads the library first to fail early.)
    private let blas: Result<BLASLibrary, Error>

    public init(threads: Int? = nil) {
        threadCount = max(1, threads ?? Self.usableCores)
        blas = Result { try BLASLibrary.shared() }
        // OpenBLAS's own threads spin (sched_yield) between calls and fight the loops' threads
        // for the cores; ``gemm`` splits large products over this backend's threads instead.
        if case .success(let library) = blas { library.threadCount = 1 }
    }

    /// The cores of this process's affinity mask: fewer than the machine's when `mpirun` binds
    /// each rank to its own cores (or under `taskset`), where one thread per machine core would
    /// make the ranks fight over the same cores. (Foundation's activeProcessorCount ignores the mask.)
    public static var usableCores: Int {
        let machine = ProcessInfo.processInfo.activeProcessorCount
        // glibc's sched_getaffinity is declared only under _GNU_SOURCE, which Swift's Glibc module
        // lacks; it is looked up by name. The mask is glibc's cpu_set_t: 1024 bits.
        typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return machine }
        var mask = [UInt64](repeating: 0, count: 16)
        let status = mask.withUnsafeMutableBytes { unsafeBitCast(symbol, to: GetAffinity.self)(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { return machine }
        return max(1, min(mask.reduce(0) { $0 + $1.nonzeroBitCount }, machine))
    }

    public private(set) var allocatedBytes = 0

    public var productObserver: ProductObserver?
    public var deviceActivity: DeviceActivity? { nil }
    public var gemmControl: GemmControl? { nil }

    public func makeStorage(capacity: Int) throws -> TensorStorage {
        allocatedBytes += max(capacity, 1) * MemoryLayout<Float>.stride
        return HostStorage(capacity: capacity)
    }

    public func upload(_ values: [Float], to tensor: Tensor) throws {
        precondition(values.count == tensor.count, "upload of \(values.count) values into \(tensor)")
        values.withUnsafeBufferPointer { source in
            guard let start = source.baseAddress else { return }
            tensor.hostPointer.update(from: start, count: values.count)
        }
    }

    public func uploadBytes(_ bytes: [UInt8], to tensor: Tensor) throws {
        precondition(bytes.count <= 4 * tensor.count, "\(bytes.count) bytes do not fit \(tensor)")
        bytes.withUnsafeBytes { source in
            guard let start = source.baseAddress else { return }
            UnsafeMutableRawPointer(tensor.hostPointer).copyMemory(from: start, byteCount: bytes.count)
        }
    }

    public func download(_ tensor: Tensor) throws -> [Float] {
        Array(UnsafeBufferPointer(start: tensor.hostPointer, count: tensor.count))
    }

    public func fill(_ tensor: Tensor, with value: Float) throws {
        tensor.hostPointer.update(repeating: value, count: tensor.count)
    }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "gemm operands too small")
        if m == 0 || n == 0 { return }
        let shape = GemmShape(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
        try observed(shape, route: nil, alpha: alpha, a: a, b: b, beta: beta, c: c) {
            try computeGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
        }
    }

    /// The product itself, on OpenBLAS over a fixed number of slabs (``productSlabs``).
    private func computeGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor) throws {
        if k == 0 {
            // BLAS leaves C untouched for k = 0 only when β = 1; make it C = β·C always.
            let p = c.hostPointer
            for i in 0..<(m * n) { p[i] *= beta }
            return
        }
        let blas = try blas.get()
        let a = a.hostPointer, b = b.hostPointer, c = c.hostPointer
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        // Rows i ..< i+rows of C come from rows of op(A): row i of op(A) starts at a + i·lda,
        // or for Aᵀ at column i of A. Columns j ..< j+cols come likewise from op(B).
        func rowsOf(_ start: Int, _ rows: Int) {
            blas.sgemm(transposeA: transposeA, transposeB: transposeB, m: rows, n: n, k: k, alpha: alpha,
                       a: a + (transposeA ? start : start * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                       c: c + start * n, ldc: n)
        }
        func columnsOf(_ start: Int, _ columns: Int) {
            blas.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: columns, k: k, alpha: alpha,
                       a: a, lda: lda, b: b + (transposeB ? start * ldb : start), ldb: ldb, beta: beta,
                       c: c + start, ldc: n)
        }
        // Small products stay on one thread; large ones split along C's longer side into
        // `productSlabs` slabs of whole 16-wide tiles (each keeps OpenBLAS's fast path), shared by
        // the threads. The split never depends on the thread count: OpenBLAS may round a slab of
        // another width differently, and a run must give the same bits on 1 core or 16 (an mpirun
        // rank bound to one core, or a laptop, repeats a workstation's run exactly).
        let slabs = m * n * k < 1 << 20 ? 1 : Self.productSlabs
        if slabs == 1 { rowsOf(0, m); return }
        let splitRows = m >= n
        let length = splitRows ? m : n
        let slab = max(16, (length + slabs - 1) / slabs + 15) / 16 * 16
        let count = (length + slab - 1) / slab
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let start = index * slab, size = min(slab, length - start)
            if splitRows { rowsOf(start, size) } else { columnsOf(start, size) }
        }
    }

    public func synchronize() throws {}

    /// Work on the CPU is done when its call returns.
    public func submit() throws {}

    /// Runs `body` over `0..<count` in contiguous chunks on up to ``threadCount`` threads.
    /// Chunks are at least `grain` long, so small loops stay on the calling thread. Every chunk
    /// but the last starts and ends on a multiple of `alignment`: a loop that takes whole runs of
    /// eight on SIMD lanes (whose exp or log may round unlike the scalar one) and the rest one by
    /// one then puts each index on the same path whatever the thread count, so a run gives the
    /// same bits on 1 core or 16.
    public func parallelFor(_ count: Int, grain: Int = 16_384, alignment: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = min(threadCount, max(1, count / max(grain, 1)))
        if chunks == 1 { body(0..<count); return }
        let size = ((count + chunks - 1) / chunks + alignment - 1) / alignment * alignment
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * size
            let end = min(count, start + size)
            if start < end { body(start..<end) }
        }
    }
}
