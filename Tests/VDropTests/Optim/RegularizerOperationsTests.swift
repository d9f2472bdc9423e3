import Foundation
import VDrop
import XCTest

/// `regularizerValue` and `addRegularizerGradient` on the CPU backend against the
/// Double reference, and on OpenCL against the CPU backend.
final class RegularizerOperationsTests: XCTestCase {
    static let objectives: [Objective] = [.ard, .svdo, .gamma(a: 0.505, b: 1e-8), .gamma(a: 2, b: 0.5),
                                          .gaussian(alpha: 1), .none]
    /// No multiple of the work-group size (256) nor of the CPU's sum block (16384).
    static let count = 100_003

    /// θ in [−1, 1] with some zero and tiny entries, log σ² in [−14, 3]: log α spans the svdo clamp.
    static let theta: [Float] = {
        var values = testValues(count, seed: 11)
        for i in stride(from: 0, to: count, by: 997) { values[i] = 0 }
        for i in stride(from: 5, to: count, by: 1009) { values[i] = 1e-6 }
        return values
    }()
    static let logSigma2 = testValues(count, seed: 12, in: -14...3)

    /// Places `values` at a nonzero offset of a larger storage, so kernels must honour offsets.
    func tensor(_ backend: BackendCore, _ values: [Float], at offset: Int = 7) throws -> Tensor {
        let storage = try backend.allocate([values.count + offset + 3])
        let tensor = storage.slice(from: offset, shape: [values.count])
        try backend.upload(values, to: tensor)
        return tensor
    }

    func cpuValue(_ objective: Objective) throws -> Float {
        let cpu = TestBackends.cpu
        let out = try tensor(cpu, [42])
        try cpu.regularizerValue(objective: objective, theta: try tensor(cpu, Self.theta),
                                 logSigma2: try tensor(cpu, Self.logSigma2, at: 3), into: out)
        return try cpu.download(out)[0]
    }

    func testCPUValueMatchesTheDoubleReference() throws {
        for objective in Self.objectives {
            var sum = 0.0, absoluteSum = 0.0
            for i in 0..<Self.count {
                let r = RegularizerReference.value(objective, theta: Double(Self.theta[i]), logSigma2: Double(Self.logSigma2[i]))
                sum += r
                absoluteSum += abs(r)
            }
            // Each Float R is good to ~1e-6 relative (plus ε·|ℓ| for gamma and svdo), summed in Double:
            // the total is good to 1e-5 of Σ|R|; the final Float rounding adds 6e-8 of it.
            let actual = Double(try cpuValue(objective))
            XCTAssertEqual(actual, sum, accuracy: 1e-5 * absoluteSum + 1e-30, "Σ R of \(objective)")
        }
    }

    func testOpenCLValueMatchesTheCPU() throws {
        let gpu = try TestBackends.openCL()
        for objective in Self.objectives {
            let out = try tensor(gpu, [42])
            try gpu.regularizerValue(objective: objective, theta: try tensor(gpu, Self.theta),
                                     logSigma2: try tensor(gpu, Self.logSigma2, at: 3), into: out)
            let device = try gpu.download(out)[0], host = try cpuValue(objective)
            // A Float tree sum of 1e5 terms of one sign (mostly) errs by ~ε·log₂(n)·Σ|R| ≈ 1e-6 relative,
            // plus a few ulps per term between the device's and the host's exp/log.
            assertClose([device], [host], atol: 1e-30, rtol: 2e-5, "Σ R of \(objective) on OpenCL")
            // Deterministic: the same sum twice gives the same bits.
            try gpu.regularizerValue(objective: objective, theta: try tensor(gpu, Self.theta),
                                     logSigma2: try tensor(gpu, Self.logSigma2, at: 3), into: out)
            XCTAssertEqual(try gpu.download(out)[0], device, "a second sum of \(objective) differs")
        }
    }

    func cpuGradients(_ objective: Objective, scale: Float, count: Int) throws -> ([Float], [Float]) {
        let cpu = TestBackends.cpu
        let gradTheta = try tensor(cpu, testValues(count, seed: 13)), gradLogSigma2 = try tensor(cpu, testValues(count, seed: 14), at: 1)
        try cpu.addRegularizerGradient(objective: objective, theta: try tensor(cpu, Array(Self.theta[0..<count])),
                                       logSigma2: try tensor(cpu, Array(Self.logSigma2[0..<count])), scale: scale,
                                       gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
        return (try cpu.download(gradTheta), try cpu.download(gradLogSigma2))
    }

    func testCPUGradientMatchesTheDoubleReference() throws {
        let count = 20_011, scale: Float = 0.37
        for objective in Self.objectives {
            let (gradTheta, gradLogSigma2) = try cpuGradients(objective, scale: scale, count: count)
            var expectedTheta = testValues(count, seed: 13).map(Double.init)
            var expectedLogSigma2 = testValues(count, seed: 14).map(Double.init)
            for i in 0..<count {
                let g = RegularizerReference.gradient(objective, theta: Double(Self.theta[i]), logSigma2: Double(Self.logSigma2[i]))
                expectedTheta[i] += Double(scale) * g.theta
                expectedLogSigma2[i] += Double(scale) * g.logSigma2
            }
            // A few ulps of exp/log per term; svdo's ∂/∂θ reaches 1e6 at θ = 1e-6, so relative.
            assertClose(gradTheta.map(Double.init), expectedTheta, atol: 1e-6, rtol: 2e-5, "gradTheta of \(objective)")
            assertClose(gradLogSigma2.map(Double.init), expectedLogSigma2, atol: 1e-6, rtol: 2e-5, "gradLogSigma2 of \(objective)")
        }
    }

    func testOpenCLGradientMatchesTheCPU() throws {
        let gpu = try TestBackends.openCL()
        let count = 20_011, scale: Float = 0.37
        for objective in Self.objectives {
            let (hostTheta, hostLogSigma2) = try cpuGradients(objective, scale: scale, count: count)
            let gradTheta = try tensor(gpu, testValues(count, seed: 13)), gradLogSigma2 = try tensor(gpu, testValues(count, seed: 14), at: 1)
            try gpu.addRegularizerGradient(objective: objective, theta: try tensor(gpu, Array(Self.theta[0..<count])),
                                           logSigma2: try tensor(gpu, Array(Self.logSigma2[0..<count])), scale: scale,
                                           gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
            // Same Float formulas; the device's exp/log/division may differ by a few ulps (OpenCL 1.2 allows
            // 3-4 ulp), and the compiler may fuse a·b+c.
            assertClose(try gpu.download(gradTheta), hostTheta, atol: 1e-6, rtol: 1e-5, "gradTheta of \(objective) on OpenCL")
            assertClose(try gpu.download(gradLogSigma2), hostLogSigma2, atol: 1e-6, rtol: 1e-5, "gradLogSigma2 of \(objective) on OpenCL")
        }
    }

    /// svdo's clamp of log α at ±10 on each side alone: 2000 weights with log α in [10.5, 14], then in
    /// [−14, −10.5]. Beyond the clamp R is the clamp's constant (2.3e-5 above, 5.6 below) and its
    /// gradient 0. In the sums above these weights are a sliver of the total, too little for a
    /// moved clamp to show; here the sum is theirs alone and such a clamp changes it by half or more.
    func testSVDOBeyondItsClampOnBothBackends() throws {
        let count = 2000
        let theta = testValues(count, seed: 15, in: 0.05...1)
        for side: Float in [1, -1] {
            let logAlpha = testValues(count, seed: 16, in: 10.5...14).map { side * $0 }
            let logSigma2 = zip(theta, logAlpha).map { Float(log(Double($0 * $0))) + $1 }
            let expected = zip(theta, logSigma2).reduce(0.0) { $0 + RegularizerReference.value(.svdo, theta: Double($1.0), logSigma2: Double($1.1)) }
            var sums: [Float] = []
            for backend in [TestBackends.cpu as any Backend] + ((try? TestBackends.openCL()).map { [$0] } ?? []) {
                let out = try tensor(backend, [42])
                try backend.regularizerValue(objective: .svdo, theta: try tensor(backend, theta), logSigma2: try tensor(backend, logSigma2),
                                             into: out)
                sums.append(try backend.download(out)[0])
                let gradTheta = try tensor(backend, [Float](repeating: 0, count: count))
                let gradLogSigma2 = try tensor(backend, [Float](repeating: 0, count: count))
                try backend.addRegularizerGradient(objective: .svdo, theta: try tensor(backend, theta), logSigma2: try tensor(backend, logSigma2),
                                                   scale: 1, gradTheta: gradTheta, gradLogSigma2: gradLogSigma2)
                XCTAssertEqual(Set(try backend.download(gradTheta) + backend.download(gradLogSigma2)), [0],
                               "\(backend.name): no gradient beyond the clamp, log α side \(side)")
            }
            // Each R to a few ulps of exp/log, as in the sums above.
            assertClose(sums.map(Double.init), [Double](repeating: expected, count: sums.count), atol: 0, rtol: 2e-5,
                        "Σ R of svdo with log α beyond the clamp on the side \(side) (CPU, then OpenCL)")
        }
    }
}
