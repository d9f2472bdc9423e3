import CMPI
import Foundation
import VDrop

/// The processes `mpirun -np K vdrop …` started, as one MPI world: this process's rank, the
/// world's size, and the rank among the processes on this host (which picks the host's device).
///
/// vdrop joins a world only when a launcher started it (Open MPI's `OMPI_COMM_WORLD_SIZE`, or
/// PMIx's `PMIX_RANK` for `srun`): started by hand, it never initializes MPI and behaves as
/// a single process always has.
public final class MPIWorld {
    public let rank: Int
    public let size: Int
    /// The rank among this host's processes: the index of the host's device this rank uses.
    public let localRank: Int
    private var finalized = false

    /// The world when a launcher started this process, else nil.
    public static func joinIfLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MPIWorld? {
        guard environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil else { return nil }
        return try MPIWorld()
    }

    private init() throws {
        var provided: Int32 = 0
        // Funneled: only the thread that initialized MPI calls it (the training threads never do).
        try Self.check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(vdrop_mpi_comm_world(), &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(vdrop_mpi_comm_world(), &size), "MPI_Comm_size")
        var host: MPI_Comm?
        try Self.check(MPI_Comm_split_type(vdrop_mpi_comm_world(), vdrop_mpi_comm_type_shared(), rank, vdrop_mpi_info_null(), &host),
                       "MPI_Comm_split_type")
        var local: Int32 = 0
        try Self.check(MPI_Comm_rank(host, &local), "MPI_Comm_rank")
        MPI_Comm_free(&host)
        self.rank = Int(rank)
        self.size = Int(size)
        localRank = Int(local)
    }

    deinit { finalize() }

    /// Ends MPI for this process (after the last collective call); safe to call twice.
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    /// Every rank's `bytes`, in rank order, on rank 0 (nil on the others). Each rank must call it.
    public func gather(_ bytes: [UInt8]) throws -> [[UInt8]]? {
        var length = Int32(bytes.count)
        var lengths = [Int32](repeating: 0, count: rank == 0 ? size : 1)
        try Self.check(MPI_Gather(&length, 1, vdrop_mpi_int(), &lengths, 1, vdrop_mpi_int(), 0, vdrop_mpi_comm_world()), "MPI_Gather")
        var offsets = [Int32](repeating: 0, count: lengths.count)
        if rank == 0 {
            var total: Int32 = 0
            for (index, count) in lengths.enumerated() {
                offsets[index] = total
                let (sum, overflow) = total.addingReportingOverflow(count)
                guard !overflow else { throw MPIError(call: "MPI_Gatherv", code: -1, detail: "the gathered results pass 2 GiB") }
                total = sum
            }
            var received = [UInt8](repeating: 0, count: Int(total))
            var sent = bytes
            try Self.check(MPI_Gatherv(&sent, length, vdrop_mpi_byte(), &received, &lengths, &offsets, vdrop_mpi_byte(), 0,
                                       vdrop_mpi_comm_world()), "MPI_Gatherv")
            return lengths.indices.map { Array(received[Int(offsets[$0])..<Int(offsets[$0] + lengths[$0])]) }
        }
        var sent = bytes
        var none: UInt8 = 0
        try Self.check(MPI_Gatherv(&sent, length, vdrop_mpi_byte(), &none, nil, nil, vdrop_mpi_byte(), 0, vdrop_mpi_comm_world()),
                       "MPI_Gatherv")
        return nil
    }

    static func check(_ code: Int32, _ call: String) throws {
        guard code == MPI_SUCCESS else {
            var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
            var length: Int32 = 0
            MPI_Error_string(code, &text, &length)
            throw MPIError(call: call, code: code, detail: String(cString: text))
        }
    }
}

/// An MPI call that failed, with MPI's own words.
public struct MPIError: Error, CustomStringConvertible {
    public let call: String
    public let code: Int32
    public let detail: String
    public var description: String { "\(call) failed (MPI error \(code)): \(detail)" }
}

/// The sum of a data-parallel step over the ranks of an MPI world, in rank order.
///
/// MPI_Allreduce picks its algorithm (and so its order of additions) by message size and rank
/// count, so its sums may differ in the last bit from run to run setup. Here MPI only moves
/// bytes: a reduce-scatter by MPI_Alltoallv (rank r receives every rank's r-th chunk), a sum of
/// the K copies of each value in rank order, and an MPI_Allgatherv of the summed chunks. That
/// moves 2·(K−1)/K of the values per rank, as a ring allreduce does, and is the same bit for bit
/// on every run.
public final class MPIStepReduction: StepReduction {
    let world: MPIWorld
    public var rank: Int { world.rank }
    public var ranks: Int { world.size }

    public init(world: MPIWorld) { self.world = world }

    /// Time spent in the sums so far, how many, and the largest (a step's gradients).
    public private(set) var seconds = 0.0
    public private(set) var calls = 0
    public private(set) var largestCount = 0

    public func sumInRankOrder(_ values: inout [Float]) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            calls += 1
            largestCount = max(largestCount, values.count)
        }
        let count = values.count, k = ranks
        guard count <= Int(Int32.max) else { throw MPIError(call: "sumInRankOrder", code: -1, detail: "\(count) values pass MPI's 32-bit counts") }
        // Chunk j is values[bound(j) ..< bound(j + 1)].
        func bound(_ j: Int) -> Int { j * count / k }
        let counts = (0..<k).map { Int32(bound($0 + 1) - bound($0)) }
        let displacements = (0..<k).map { Int32(bound($0)) }
        let mine = Int(counts[rank])
        var received = [Float](repeating: 0, count: mine * k)
        let receiveCounts = [Int32](repeating: Int32(mine), count: k)
        let receiveDisplacements = (0..<k).map { Int32($0 * mine) }
        try MPIWorld.check(MPI_Alltoallv(values, counts, displacements, vdrop_mpi_float(), &received, receiveCounts, receiveDisplacements,
                                         vdrop_mpi_float(), vdrop_mpi_comm_world()), "MPI_Alltoallv")
        var sum = Array(received[0..<mine])
        for other in 1..<max(k, 1) {
            let base = other * mine
            for index in 0..<mine { sum[index] += received[base + index] }
        }
        try MPIWorld.check(MPI_Allgatherv(sum, Int32(mine), vdrop_mpi_float(), &values, counts, displacements, vdrop_mpi_float(),
                                          vdrop_mpi_comm_world()), "MPI_Allgatherv")
    }

    /// Whether every rank got `ready`: false when any did not (each rank must call it).
    public func agree(_ ready: Bool) throws -> Bool {
        var flag: [Float] = [ready ? 0 : 1]
        try sumInRankOrder(&flag)
        return flag[0] == 0
    }

    /// Ends every rank of the job: after a failure inside a data-parallel run, the other ranks
    /// would otherwise wait for this one's next step forever.
    public func abort(code: Int32) -> Never {
        MPI_Abort(vdrop_mpi_comm_world(), code)
        exit(code)
    }
}
