@testable import VDrop
@testable import VDropTools
import XCTest

/// The fused and implicit conv routes (``ConvRoute``, `lrt_conv_gemm.cl`) give what the im2col
/// route gives: the same bits as the im2col route on `gemm_tiled.cl` in the same tiles (the same
/// multiply-adds in the same order), and the CPU backend's results within rounding. The
/// implicit-full route's input gradient is a convolution of the output gradient with the flipped
/// weights, which sums in another order: it agrees with the im2col path within rounding.
final class ConvRouteTests: XCTestCase {
    private static let names = ["output", "noise scale", "argmax", "∂θ", "∂σ²", "∂b", "∂x"]

    /// Odd sizes, padding 0 to 2, the models' kernel sizes 3 and 5 (each size is its own build of
    /// the kernels, -DKSIZE: a third size would cost the cold suite ~10 s of PoCL compiles), one
    /// input channel and several, batches and position counts that are no multiple of a tile,
    /// patch sizes no multiple of TK, an output of 2 × 3.
    private static let geometries = [
        ConvGeometry(batch: 3, inChannels: 4, height: 9, width: 7, outChannels: 6, kernelSize: 3, padding: 1),
        ConvGeometry(batch: 2, inChannels: 1, height: 11, width: 10, outChannels: 5, kernelSize: 5, padding: 2),
        ConvGeometry(batch: 5, inChannels: 3, height: 6, width: 6, outChannels: 70, kernelSize: 3, padding: 0),
        ConvGeometry(batch: 7, inChannels: 9, height: 4, width: 5, outChannels: 3, kernelSize: 3, padding: 0),
        // VGG-like's fourth layer's channels on a smaller image: several A tiles and k steps.
        ConvGeometry(batch: 3, inChannels: 64, height: 6, width: 6, outChannels: 128, kernelSize: 3, padding: 1),
    ]

    /// Output, noise scale and argmax (with a fused max-pool) after forward, then ∂θ, ∂σ² (with
    /// noise), ∂b and ∂x after backward. `shared` runs the layer on a workspace that shares its
    /// buffers, clobbered between the passes as other layers would.
    private func run(_ backend: any Backend, _ g: ConvGeometry, noise: WeightNoise, activation: ConvActivation,
                     shared: Bool = false) throws -> [[Float]] {
        let count = g.weightShape.reduce(1, *)
        let weights = LRTWeights(theta: try backend.tensor(testValues(count, seed: 21, in: -0.4...0.4), shape: g.weightShape),
                                 variance: try backend.tensor(testValues(count, seed: 22, in: 0.01...0.3), shape: g.weightShape),
                                 bias: try backend.tensor(testValues(g.outChannels, seed: 23, in: -0.2...0.2), shape: [g.outChannels]))
        let input = try backend.tensor(testValues(g.inputShape.reduce(1, *), seed: 24), shape: g.inputShape)
        let outputShape = activation.outputShape(g)
        let output = try backend.allocate(outputShape)
        let grad = try backend.tensor(testValues(outputShape.reduce(1, *), seed: 25), shape: outputShape)
        let gradients = LRTGradients(theta: try backend.allocate(g.weightShape), variance: try backend.allocate(g.weightShape),
                                     bias: try backend.allocate([g.outChannels]))
        try backend.fill(gradients.variance, with: 7)
        let gradInput = try backend.allocate(g.inputShape)
        let key = NoiseKey(seed: 5, step: 2, stream: 3)
        let scratch = try ConvScratch(backend: backend, geometries: [g])
        let workspace = shared ? try ConvWorkspace(backend: backend, geometry: g, activation: activation, sharing: scratch)
            : try ConvWorkspace(backend: backend, geometry: g, activation: activation)
        try backend.convForward(input: input, weights: weights, geometry: g, noise: noise, key: key, output: output,
                                workspace: workspace, activation: activation)
        if shared {
            for buffer in [scratch.columns, scratch.columnsSquared] { try backend.fill(buffer, with: -3) }
        }
        let noiseScale = try backend.download(workspace.noiseScale)
        try backend.convBackward(input: input, weights: weights, geometry: g, noise: noise, gradOutput: grad, output: output,
                                 workspace: workspace, gradients: gradients, gradInput: gradInput, activation: activation)
        return [try backend.download(output), noiseScale, try workspace.argmax.map { try backend.download($0) } ?? [],
                try backend.download(gradients.theta), try backend.download(gradients.variance),
                try backend.download(gradients.bias), try backend.download(gradInput)]
    }

    /// Runs `body` with the shared OpenCL backend set to `route` (and `slices`), then restores it.
    private func with<T>(_ backend: OpenCLBackend, route: ConvRoute, routing: GemmRouting = .automatic, slices: Int? = nil,
                         _ body: () throws -> T) rethrows -> T {
        let saved = (backend.convRoute, backend.gemmRouting, backend.convGemmSlices)
        defer { (backend.convRoute, backend.gemmRouting, backend.convGemmSlices) = saved }
        (backend.convRoute, backend.gemmRouting, backend.convGemmSlices) = (route, routing, slices)
        return try body()
    }

    func testPairedProductsEqualTheIm2colPathAndTheCPUBackend() throws {
        let openCL = try TestBackends.openCL()
        let configuration = openCL.convGemmConfiguration
        for g in Self.geometries {
            for noise in allWeightNoises {
                for activation in [ConvActivation.none, .relu, .reluMaxPool] {
                    let what = "\(g.batch)×\(g.inChannels)×\(g.height)×\(g.width)→\(g.outChannels) k\(g.kernelSize) pad\(g.padding) \(noise) \(activation)"
                    let cpu = try run(TestBackends.cpu, g, noise: noise, activation: activation)
                    // Today's path on the same tiles: every GEMM on gemm_tiled.cl in the paired kernel's configuration.
                    let tiled = try with(openCL, route: .im2col, routing: .allTiled(configuration)) {
                        try run(openCL, g, noise: noise, activation: activation)
                    }
                    // implicit-full differs from implicit only in the input gradient, after the
                    // gather has undone the activation: one activation (the fused max-pool) and the
                    // noise with both products cover it (the split-K test runs it without noise).
                    for route in [ConvRoute.fused, .implicit, .implicitFull]
                    where route != .implicitFull || (activation == .reluMaxPool && noise == .lrt) {
                        let paired = try with(openCL, route: route, routing: .allTiled(configuration)) {
                            try run(openCL, g, noise: noise, activation: activation)
                        }
                        for (index, values) in paired.enumerated() {
                            let exact = !(route == .implicitFull && Self.names[index] == "∂x")
                            assertClose(values, tiled[index], atol: exact ? 0 : 2e-5, rtol: exact ? 0 : 1e-4,
                                        "\(route) \(what) \(Self.names[index]) vs im2col on gemm_tiled")
                            // As FusedMaxPoolTests: sums of up to 225 products in another order.
                            assertClose(values, cpu[index], atol: 2e-5, rtol: 1e-4, "\(route) \(what) \(Self.names[index]) vs cpu")
                        }
                    }
                }
            }
        }
    }

    /// k cut into slices (summed in a fixed order after the launch), on a workspace shared with
    /// other layers, and under the automatic GEMM routes (CLBlast on PoCL) for the products the
    /// routes leave alone.
    func testSplitKAndSharedColumnsAgreeWithTheCPUBackend() throws {
        let openCL = try TestBackends.openCL()
        for g in Self.geometries.prefix(3) {
            for noise in [WeightNoise.lrt, .deterministic] {
                let cpu = try run(TestBackends.cpu, g, noise: noise, activation: .relu)
                // implicit is implicit-full's forward and weight gradients with fused's input gradient.
                for route in [ConvRoute.im2col, .fused, .implicitFull] {
                    for slices in [nil, 3] {
                        let device = try with(openCL, route: route, slices: slices) {
                            try run(openCL, g, noise: noise, activation: .relu, shared: true)
                        }
                        let what = "\(route) \(slices.map { "\($0) slices" } ?? "automatic slices") \(g.batch)×\(g.inChannels)×\(g.height)×\(g.width) \(noise)"
                        for (index, values) in device.enumerated() {
                            assertClose(values, cpu[index], atol: 2e-5, rtol: 1e-4, "\(what) \(Self.names[index]) vs cpu")
                        }
                    }
                }
            }
        }
    }

    /// The plan says which buffers each route writes and reads, so backward unfolds what is missing.
    func testPlanUnfoldsOnlyWhatTheRouteReadsAndLaunchesLess() throws {
        let openCL = try TestBackends.openCL()
        let g = Self.geometries[0]
        let plans = ConvRoute.allCases.map { route in with(openCL, route: route) { openCL.convProductPlan(g) } }
        XCTAssertEqual(plans.map(\.pairedForward), [false, true, true, true])
        XCTAssertEqual(plans.map(\.forwardWritesColumns), [true, true, false, false])
        XCTAssertEqual(plans.map(\.forwardWritesSquares), [true, false, false, false])
        XCTAssertEqual(plans.map(\.weightGradientReadsColumns), [true, true, false, false])
        XCTAssertEqual(plans.map(\.weightGradientReadsSquares), [true, false, false, false])
        XCTAssertEqual(plans.map(\.implicitInputGradient), [false, false, false, true])
        // And the launches show it (no silent fallback to today's path). On gemm_tiled.cl, unsplit
        // here, each GEMM is one launch: forward is im2col, two GEMMs and the epilogue; backward
        // a gather, the bias sums, two weight-gradient GEMMs, two input-gradient GEMMs, col2im. The
        // implicit-full route's input gradient is the flip of the weights, two implicit products
        // and a gather: one launch more, and no column gradients written.
        let launches = try ConvRoute.allCases.map { route in
            try with(openCL, route: route, routing: .allTiled(openCL.convGemmConfiguration)) {
                let before = openCL.kernelsEnqueued
                _ = try run(openCL, g, noise: .lrt, activation: .relu)
                return openCL.kernelsEnqueued - before
            }
        }
        XCTAssertEqual(launches[0] - launches[1], 2, "fused: one product launch fewer each way")
        XCTAssertEqual(launches[0] - launches[2], 3, "implicit: no im2col either")
        XCTAssertEqual(launches[0] - launches[3], 2, "implicit-full: one launch more for the input gradient")
    }

    /// `--conv-route` and `--conv-routes` spell a route and, for the paired ones, its tiles.
    func testRouteChoicesParse() {
        XCTAssertEqual(ConvRouteChoice(parsing: "im2col"), ConvRouteChoice(route: .im2col))
        XCTAssertEqual(ConvRouteChoice(parsing: "implicit:large"), ConvRouteChoice(route: .implicit, configuration: .large))
        XCTAssertEqual(ConvRouteChoice(parsing: "implicit-full:tall"), ConvRouteChoice(route: .implicitFull, configuration: .tall))
        XCTAssertEqual(ConvRouteChoice(parsing: "fused:large-deep")?.description, "fused:large-deep")
        for bad in ["", "implicit:", "implicit:huge", "im2col:wide", "Implicit", "fused:wide:x"] {
            XCTAssertNil(ConvRouteChoice(parsing: bad), bad)
        }
    }

    /// A few whole training steps of LeNet-5 (two conv layers, k = 5) on the paired routes follow the CPU backend's losses, within TrajectoryTests' tolerance.
    func testLeNet5StepsOnPairedRoutesFollowTheCPUBackend() throws {
        let openCL = try TestBackends.openCL()
        let cpu = try Trajectory.run(model: .lenet5, objective: .ard, batch: 9, steps: 3, backend: TestBackends.cpu)
        // implicit is implicit-full's forward and weight gradients with fused's input gradient.
        for route in [ConvRoute.fused, .implicitFull] {
            let device = try with(openCL, route: route) {
                try Trajectory.run(model: .lenet5, objective: .ard, batch: 9, steps: 3, backend: openCL)
            }
            assertClose(device.losses.map { Float($0.total) }, cpu.losses.map { Float($0.total) }, atol: 0, rtol: 1e-3,
                        "lenet5 \(route) loss trajectory")
            assertClose(device.parameters, cpu.parameters, atol: 1e-4, rtol: 1e-3, "lenet5 \(route) parameters after 3 steps")
        }
    }
}
