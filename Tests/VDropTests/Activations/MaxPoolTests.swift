import VDrop
import XCTest

/// 2×2 max-pooling on odd image sizes, with ties, against the Double reference and across backends.
final class MaxPoolTests: XCTestCase {
    /// Distinct values 0.01 apart in shuffled order: no ties, and a step h ≤ 1e-3·max(1,|x|) never changes a window's winner.
    private func distinctInputs(_ count: Int, seed: UInt64) -> [Float] {
        let keys = testValues(count, seed: seed)
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        var values = [Float](repeating: 0, count: count)
        for (rank, index) in order.enumerated() { values[index] = Float(rank) * 0.01 - Float(count) * 0.005 }
        return values
    }

    func testReferenceBackwardMatchesFiniteDifferences() {
        let (planes, height, width) = (2 * 3, 5, 7)
        let x = distinctInputs(planes * height * width, seed: 21).map(Double.init)
        let w = testValues(planes * (height / 2) * (width / 2), seed: 22).map(Double.init)
        let (_, argmax) = MaxPoolReference.forward(x, planes: planes, height: height, width: width)
        let analytic = MaxPoolReference.backward(gradOutput: w, argmax: argmax, planes: planes, height: height, width: width)
        let numeric = FiniteDifference.gradient(at: x) {
            weightedSum(w, MaxPoolReference.forward($0, planes: planes, height: height, width: width).output)
        }
        // Piecewise linear with no winner change inside ±h: exact up to rounding of the differences.
        assertClose(analytic, numeric, atol: 1e-9, rtol: 1e-9, "max-pool dx vs finite differences")
    }

    func testCPUMatchesReferenceOnOddSizesAndTies() throws {
        let cpu = TestBackends.cpu
        let (b, c, h, w) = (7, 13, 9, 7)
        // Values rounded to quarters: many windows hold ties, which must go to the first position.
        let x = testValues(b * c * h * w, seed: 23, in: -2...2).map { ($0 * 4).rounded() / 4 }
        let g = testValues(b * c * (h / 2) * (w / 2), seed: 24)
        let input = try cpu.tensor(x, shape: [b, c, h, w])
        let output = try cpu.allocate([b, c, h / 2, w / 2]), argmax = try cpu.allocate([b, c, h / 2, w / 2])
        try cpu.maxPoolForward(input: input, output: output, argmax: argmax)
        let gradInput = try cpu.tensor([Float](repeating: 9, count: x.count), shape: [b, c, h, w])
        try cpu.maxPoolBackward(gradOutput: try cpu.tensor(g, shape: [b, c, h / 2, w / 2]), argmax: argmax, gradInput: gradInput)

        let reference = MaxPoolReference.forward(x.map(Double.init), planes: b * c, height: h, width: w)
        let referenceGrad = MaxPoolReference.backward(gradOutput: g.map(Double.init), argmax: reference.argmax,
                                                      planes: b * c, height: h, width: w)
        // Selection and copying are exact; the 9s written first must all be overwritten.
        assertClose(try cpu.download(output), reference.output.map(Float.init), atol: 0, rtol: 0, "cpu max-pool output")
        XCTAssertEqual(try cpu.download(argmax), reference.argmax.map(Float.init), "cpu max-pool argmax")
        assertClose(try cpu.download(gradInput), referenceGrad.map(Float.init), atol: 0, rtol: 0, "cpu max-pool backward")
        XCTAssertGreaterThan(reference.argmax.filter { $0 == 0 }.count, reference.argmax.count / 4, "ties should favour position 0")
    }

    func testOpenCLMatchesCPU() throws {
        let gpu = try TestBackends.openCL(), cpu = TestBackends.cpu
        for (b, c, h, w) in [(7, 13, 9, 7), (3, 5, 28, 28), (1, 1, 1, 3)] {
            let x = testValues(b * c * h * w, seed: 25, in: -2...2).map { ($0 * 4).rounded() / 4 }
            let g = testValues(b * c * (h / 2) * (w / 2), seed: 26)
            var results: [[Float]] = []
            for backend in [gpu as any ActivationOperations, cpu] {
                let input = try backend.offsetTensor(x, shape: [b, c, h, w])
                let output = try backend.allocate([b, c, h / 2, w / 2]), argmax = try backend.offsetTensor(
                    [Float](repeating: 0, count: g.count), shape: [b, c, h / 2, w / 2])
                try backend.maxPoolForward(input: input, output: output, argmax: argmax)
                let gradInput = try backend.offsetTensor([Float](repeating: 9, count: x.count), shape: [b, c, h, w])
                try backend.maxPoolBackward(gradOutput: try backend.offsetTensor(g, shape: [b, c, h / 2, w / 2]),
                                            argmax: argmax, gradInput: gradInput)
                results += [try backend.download(output), try backend.download(argmax), try backend.download(gradInput)]
            }
            // Comparisons and copies only: the backends agree exactly.
            for (k, what) in ["output", "argmax", "gradInput"].enumerated() {
                assertClose(results[k], results[k + 3], atol: 0, rtol: 0, "opencl vs cpu max-pool \(what) \([b, c, h, w])")
            }
        }
    }
}

extension BackendCore {
    /// `values` stored 5 values into a larger storage, so every kernel's offset argument is exercised.
    fileprivate func offsetTensor(_ values: [Float], shape: [Int]) throws -> Tensor {
        let storage = try makeStorage(capacity: values.count + 8)
        let tensor = Tensor(storage: storage, offset: 5, shape: shape)
        try upload(values, to: tensor)
        return tensor
    }
}
