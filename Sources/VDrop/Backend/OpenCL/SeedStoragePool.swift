/// Storage for the networks of a ``SeedBatch`` on OpenCL, laid out so that one launch can
/// reach every seed: the k-th storage each seed's network asks for is that seed's share of one
/// buffer (seed s at s × capacity), so each activation, workspace and label buffer of the seeds
/// lies at a fixed stride in one `cl_mem`, as the arenas do.
///
/// The seeds' networks are built from one plan, one after another, so they ask for the same
/// capacities in the same order; a request that differs from the first seed's (which a plan
/// never makes), or whose seeds together would pass `maxFloats`, simply gets a buffer of its own
/// per seed, and launches over it fall back to one per seed.
final class SeedStoragePool {
    let seeds: Int
    /// The most floats one pooled buffer may hold: kernels index a buffer with `int`.
    let maxFloats: Int
    /// Seed 0's storage of each request, at the start of the buffer that holds every seed's
    /// (nil where the request is not pooled).
    private var firsts: [DeviceStorage?] = []
    private var seed = 0
    private var next = 0

    init(seeds: Int, maxFloats: Int = KernelIndexLimitError.limit) {
        precondition(seeds >= 1, "a pool serves at least one seed")
        self.seeds = seeds
        self.maxFloats = maxFloats
    }

    /// From now on, storages go to `seed` (seeds are built in order, from 0).
    func begin(seed: Int) {
        precondition(seed == 0 || seed == self.seed + 1, "seeds are built in order")
        self.seed = seed
        next = 0
    }

    func storage(capacity: Int, backend: OpenCLBackend) throws -> DeviceStorage {
        defer { next += 1 }
        if seed == 0 {
            guard seeds * max(capacity, 1) <= maxFloats else {
                firsts.append(nil)
                return try backend.makeBuffer(capacity: capacity)
            }
            // Counted whole in the backend's memory by this first share.
            let first = try backend.makeBuffer(capacity: capacity, floats: seeds * max(capacity, 1))
            firsts.append(first)
            return first
        }
        guard next < firsts.count, let first = firsts[next], first.capacity == capacity else {
            return try backend.makeBuffer(capacity: capacity)
        }
        return DeviceStorage(buffer: first.buffer, capacity: capacity, ledger: nil, base: seed * max(capacity, 1))
    }
}

extension OpenCLBackend {
    /// Runs `build(seed)` for every seed in order, with the storage they allocate pooled.
    func buildPooled<T>(seeds: Int, _ build: (Int) throws -> T) throws -> [T] {
        let pool = SeedStoragePool(seeds: seeds)
        seedPool = pool
        defer { seedPool = nil }
        return try (0..<seeds).map { seed in
            pool.begin(seed: seed)
            return try build(seed)
        }
    }

    /// The stride, in values, between consecutive seeds' tensors when they lie in one buffer at
    /// equal steps (0 for one seed); nil otherwise.
    func seedStride(_ tensors: [Tensor]) -> Int? {
        guard let first = tensors.first, tensors.allSatisfy({ $0.deviceBuffer === first.deviceBuffer }) else { return nil }
        guard tensors.count > 1 else { return 0 }
        let stride = tensors[1].devicePosition - first.devicePosition
        for (index, tensor) in tensors.enumerated() where tensor.devicePosition != first.devicePosition + index * stride { return nil }
        return stride
    }
}
