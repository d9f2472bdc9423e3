import VDrop
import XCTest

/// A seed batch's conv layers on OpenCL: each kernel one launch for all seeds, the products one
/// launch on a tiled route (seed by seed on CLBlast and for the paired products), and every seed
/// the bits of its step alone, on each conv and GEMM route.
final class SeedBatchConvTests: XCTestCase {
    let seeds = 3, batch = 4

    func settings(_ seed: UInt64, objective: Objective) -> StepSettings {
        StepSettings(objective: objective, seed: seed, step: 2, datasetSize: 1000, learningRate: 1e-3, regularizerWeight: 0.5)
    }

    /// Seed s's parameters, input and labels: θ and the plain parameters in ±0.1, log σ² in
    /// [−10, −2] so the noise matters, an input batch of its own.
    func load(_ network: Network, seed s: Int) throws {
        let w = network.arena.weightCount, count = network.arena.parameters.count
        var values = testValues(count, seed: UInt64(40 + s), in: -0.1...0.1)
        for i in w..<2 * w { values[i] = -6 + 40 * values[i] }
        try network.backend.upload(values, to: network.arena.parameters)
        try network.backend.upload(testValues(network.input.count, seed: UInt64(50 + s), in: 0...1), to: network.input)
        try network.backend.upload((0..<batch).map { Float(($0 + s) % 10) }, to: network.labels)
    }

    /// One step of LeNet-5 for seeds 7, 8, 9 batched and each alone; returns the launches of the
    /// batched step and of one seed's step alone.
    func stepBatchedAndAlone(on backend: OpenCLBackend, objective: Objective, route: String) throws -> (batched: Int, alone: Int) {
        let seedNumbers: [UInt64] = [7, 8, 9]
        // A first step grows the backend's shared scratch (one more command); count a later one's.
        let warmUp = try SeedBatch(model: .lenet5, batch: batch, seeds: seeds, backend: backend)
        try warmUp.trainStep(seedNumbers.map { settings($0, objective: objective) }, recordLoss: false)
        let batched = try SeedBatch(model: .lenet5, batch: batch, seeds: seeds, backend: backend)
        for (s, network) in batched.networks.enumerated() { try load(network, seed: s) }
        var before = backend.kernelsEnqueued
        try batched.trainStep(seedNumbers.map { settings($0, objective: objective) }, recordLoss: false)
        let batchedLaunches = backend.kernelsEnqueued - before
        var aloneLaunches = 0
        for (s, seed) in seedNumbers.enumerated() {
            let single = try Network(model: .lenet5, batch: batch, backend: backend)
            try load(single, seed: s)
            before = backend.kernelsEnqueued
            try single.trainStep(settings(seed, objective: objective), recordLoss: false)
            aloneLaunches = backend.kernelsEnqueued - before
            let network = batched.networks[s]
            XCTAssertEqual(try backend.download(network.logits), try backend.download(single.logits), "\(route) \(objective) seed \(seed): logits")
            XCTAssertEqual(try backend.download(network.arena.gradients), try backend.download(single.arena.gradients),
                           "\(route) \(objective) seed \(seed): gradients")
            XCTAssertEqual(try backend.download(network.arena.parameters), try backend.download(single.arena.parameters),
                           "\(route) \(objective) seed \(seed): parameters after the step")
        }
        let gradients = try batched.networks.map { try backend.download($0.arena.gradients) }
        XCTAssertNotEqual(gradients[0], gradients[1], "\(route): the seeds' gradients differ")
        return (batchedLaunches, aloneLaunches)
    }

    func withRoutes(_ backend: OpenCLBackend, _ route: ConvRoute, _ routing: GemmRouting, seedProducts: SeedProducts = .perSeed,
                    _ body: () throws -> Void) rethrows {
        let saved = (backend.convRoute, backend.gemmRouting, backend.seedProducts)
        defer { (backend.convRoute, backend.gemmRouting, backend.seedProducts) = saved }
        (backend.convRoute, backend.gemmRouting, backend.seedProducts) = (route, routing, seedProducts)
        try body()
    }

    /// On the tiled GEMM route every kernel and product is one launch for all seeds: the batched
    /// step enqueues what one seed's step alone enqueues.
    func testOnTheTiledRouteABatchedStepLaunchesWhatOneSeedLaunches() throws {
        let backend = try TestBackends.openCL()
        try withRoutes(backend, .im2col, .allTiled(.small)) {
            for objective in [Objective.svdo, .gaussian(alpha: 0.5)] {
                let launches = try stepBatchedAndAlone(on: backend, objective: objective, route: "im2col, tiled")
                // Gaussian dropout adds σ²'s chain rule per seed and conv layer (2 layers).
                let gaussianExtra = objective == .svdo ? 0 : 2 * (seeds - 1)
                XCTAssertEqual(launches.batched, launches.alone + gaussianExtra, "\(objective): one launch per kernel for all seeds")
            }
        }
    }

    /// On CLBlast the products run seed by seed, everything else batched: LeNet-5 has 10
    /// products per step (4 per conv layer, 2 for conv2's input gradient).
    func testOnCLBlastOnlyTheProductsRunSeedBySeed() throws {
        let backend = try TestBackends.openCL()
        try withRoutes(backend, .im2col, .clblastOnly) {
            let launches = try stepBatchedAndAlone(on: backend, objective: .svdo, route: "im2col, CLBlast")
            XCTAssertEqual(launches.batched, launches.alone + 10 * (seeds - 1))
        }
    }

    /// CLBlast's strided-batched SGEMM runs the same kernels as its SGEMM with the seed as a grid
    /// dimension: one call for all seeds, every seed its own bits.
    func testCLBlastsStridedBatchedProductGivesEverySeedItsBits() throws {
        let backend = try TestBackends.openCL()
        try withRoutes(backend, .im2col, .clblastOnly, seedProducts: .batched) {
            let launches = try stepBatchedAndAlone(on: backend, objective: .svdo, route: "im2col, CLBlast strided-batched")
            XCTAssertEqual(launches.batched, launches.alone, "one launch per kernel and product for all seeds")
        }
    }

    /// The paired routes' products run seed by seed, implicit-full's input gradient too (it takes
    /// every paired path: the forward and weight-gradient pairs and the adjoint products); the
    /// seeds keep their bits.
    func testOnThePairedRoutesEverySeedKeepsItsBits() throws {
        let backend = try TestBackends.openCL()
        try withRoutes(backend, .implicitFull, .clblastOnly) {
            _ = try stepBatchedAndAlone(on: backend, objective: .ard, route: "implicit-full")
        }
    }
}
