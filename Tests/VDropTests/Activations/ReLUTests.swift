import VDrop
import XCTest

/// ReLU: the Double reference against finite differences, the CPU backend against
/// the reference, the OpenCL backend against the CPU backend.
final class ReLUTests: XCTestCase {
    /// Values in [-1, 1] pushed at least 0.1 away from the kink at 0, where the derivative is undefined.
    private func inputs(_ count: Int, seed: UInt64) -> [Float] {
        testValues(count, seed: seed).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
    }

    func testReferenceBackwardMatchesFiniteDifferences() {
        let x = inputs(60, seed: 11).map(Double.init), w = testValues(60, seed: 12).map(Double.init)
        let analytic = ReLUReference.backward(output: ReLUReference.forward(x), gradOutput: w)
        let numeric = FiniteDifference.gradient(at: x) { weightedSum(w, ReLUReference.forward($0)) }
        // ReLU is linear on each side of 0 and h ≤ 2.2e-3 < 0.1: central differences are exact up to rounding.
        assertClose(analytic, numeric, atol: 1e-9, rtol: 1e-9, "relu dx vs finite differences")
    }

    func testCPUMatchesReference() throws {
        let cpu = TestBackends.cpu
        let x = inputs(7 * 13 * 9 * 7, seed: 13), g = testValues(x.count, seed: 14)
        let input = try cpu.tensor(x, shape: [7, 13, 9, 7]), output = try cpu.allocate([7, 13, 9, 7])
        try cpu.reluForward(input: input, output: output)
        let gradOutput = try cpu.tensor(g, shape: [x.count]), gradInput = try cpu.allocate([x.count])
        try cpu.reluBackward(output: output, gradOutput: gradOutput, gradInput: gradInput)
        let y = ReLUReference.forward(x.map(Double.init))
        // max and a select are exact in Float.
        assertClose(try cpu.download(output), y.map(Float.init), atol: 0, rtol: 0, "cpu relu forward")
        assertClose(try cpu.download(gradInput), ReLUReference.backward(output: y, gradOutput: g.map(Double.init)).map(Float.init),
                    atol: 0, rtol: 0, "cpu relu backward")
    }

    func testOpenCLMatchesCPUInPlace() throws {
        let gpu = try TestBackends.openCL(), cpu = TestBackends.cpu
        // 5733 values: no multiple of any work-group size; exact zeros included to test "> 0".
        var x = testValues(7 * 13 * 9 * 7, seed: 15)
        for i in stride(from: 0, to: x.count, by: 97) { x[i] = 0 }
        let g = testValues(x.count, seed: 16)
        var results: [[Float]] = []
        for backend in [gpu as any ActivationOperations, cpu] {
            let data = try backend.tensor(x, shape: [x.count]), grad = try backend.tensor(g, shape: [x.count])
            try backend.reluForward(input: data, output: data)
            try backend.reluBackward(output: data, gradOutput: grad, gradInput: grad)
            results += [try backend.download(data), try backend.download(grad)]
        }
        // Both are exact (max and a select), so the backends agree bit for bit.
        assertClose(results[0], results[2], atol: 0, rtol: 0, "opencl vs cpu relu forward in place")
        assertClose(results[1], results[3], atol: 0, rtol: 0, "opencl vs cpu relu backward in place")
    }
}
