import VDrop
import XCTest

/// Softmax cross-entropy: reference gradient against finite differences, the CPU
/// backend against the reference, OpenCL against the CPU.
final class CrossEntropyTests: XCTestCase {
    private func labels(_ rows: Int, classes: Int, seed: UInt64) -> [Int] {
        testValues(rows, seed: seed, in: 0...0.999_999).map { Int($0 * Float(classes)) }
    }

    func testReferenceBackwardMatchesFiniteDifferences() {
        let (rows, classes, scale) = (4, 13, 0.37)
        let z = testValues(rows * classes, seed: 41, in: -3...3).map(Double.init)
        let y = labels(rows, classes: classes, seed: 42)
        let analytic = CrossEntropyReference.backward(z, labels: y, classes: classes, scale: scale)
        let numeric = FiniteDifference.gradient(at: z) {
            scale * CrossEntropyReference.forward($0, labels: y, classes: classes).loss.reduce(0, +)
        }
        // O(h²)·|f'''| with |f'''| ≤ 1 for log-sum-exp, h ≤ 3e-3: below 1e-5.
        assertClose(analytic, numeric, atol: 1e-5, rtol: 1e-4, "cross-entropy dz vs finite differences")
    }

    /// Logits [rows, classes] with a large offset on some rows (exp would overflow without
    /// subtracting the max) and a tie for the maximum in row 1, placed before the label.
    private func logits(_ rows: Int, _ classes: Int, labels y: [Int], seed: UInt64) -> [Float] {
        var z = testValues(rows * classes, seed: seed, in: -4...4)
        for b in stride(from: 0, to: rows, by: 5) { for k in 0..<classes { z[b * classes + k] += 200 } }
        // Every third row's label holds a clear maximum, so rowCorrect has ones to count.
        for b in stride(from: 2, to: rows, by: 3) { z[b * classes + y[b]] += 20 }
        let label = y[1], other = (label + classes - 1) % classes
        z[classes + label] = 9
        z[classes + other] = 9
        return z
    }

    private func run(_ backend: any LossOperations, _ z: [Float], _ y: [Int], rows: Int, classes: Int, scale: Float,
                     withGradient: Bool = true) throws -> (loss: [Float], correct: [Float], grad: [Float]) {
        let logits = try backend.offsetTensor(z, shape: [rows, classes])
        let labels = try backend.offsetTensor(y.map(Float.init), shape: [rows])
        let grad = try backend.offsetTensor([Float](repeating: 9, count: z.count), shape: [rows, classes])
        let loss = try backend.offsetTensor([Float](repeating: 9, count: rows), shape: [rows])
        let correct = try backend.offsetTensor([Float](repeating: 9, count: rows), shape: [rows])
        try backend.softmaxCrossEntropy(logits: logits, labels: labels, gradScale: scale, gradLogits: withGradient ? grad : nil,
                                        rowLoss: loss, rowCorrect: correct)
        return (try backend.download(loss), try backend.download(correct), try backend.download(grad))
    }

    func testCPUMatchesReference() throws {
        for (rows, classes) in [(100, 10), (7, 13)] {
            let y = labels(rows, classes: classes, seed: 43), z = logits(rows, classes, labels: y, seed: 44)
            let cpu = try run(TestBackends.cpu, z, y, rows: rows, classes: classes, scale: 0.01)
            let reference = CrossEntropyReference.forward(z.map(Double.init), labels: y, classes: classes)
            let referenceGrad = CrossEntropyReference.backward(z.map(Double.init), labels: y, classes: classes, scale: 0.01)
            // The loss is (m − z_y) + log Σ: a few Float roundings relative to the loss (≤ 20) itself,
            // even on rows of logits near 200; the gradient is softmax − onehot, rounded relative to 1.
            assertClose(cpu.loss, reference.loss.map(Float.init), atol: 2e-6, rtol: 2e-6, "cpu loss \(rows)×\(classes)")
            assertClose(cpu.grad, referenceGrad.map(Float.init), atol: 1e-7, rtol: 1e-5, "cpu dz \(rows)×\(classes)")
            XCTAssertEqual(cpu.correct, reference.correct.map(Float.init), "cpu rowCorrect \(rows)×\(classes)")
            XCTAssertEqual(cpu.correct[1], 0, "a tie for the maximum goes to the first maximal logit, not the label")
            XCTAssertGreaterThan(cpu.correct.reduce(0, +), 0, "some rows should be correct")
        }
    }

    func testOpenCLMatchesCPU() throws {
        let gpu = try TestBackends.openCL()
        for (rows, classes) in [(100, 10), (7, 13), (1, 1)] {
            let y = labels(rows, classes: classes, seed: 45)
            let z = rows > 1 ? logits(rows, classes, labels: y, seed: 46) : [3]
            for withGradient in [true, false] {
                let a = try run(gpu, z, y, rows: rows, classes: classes, scale: 1.5, withGradient: withGradient)
                let b = try run(TestBackends.cpu, z, y, rows: rows, classes: classes, scale: 1.5, withGradient: withGradient)
                // Same formula in the same order; only exp and log may differ by a few ulps
                // between the device's and the host's libraries.
                assertClose(a.loss, b.loss, atol: 2e-6, rtol: 2e-6, "opencl vs cpu loss \(rows)×\(classes)")
                assertClose(a.grad, b.grad, atol: 1e-6, rtol: 1e-5, "opencl vs cpu dz \(rows)×\(classes) gradient \(withGradient)")
                XCTAssertEqual(a.correct, b.correct, "opencl vs cpu rowCorrect \(rows)×\(classes)")
                if !withGradient { XCTAssertEqual(a.grad, [Float](repeating: 9, count: z.count), "no gradient asked, none written") }
            }
        }
    }

    func testLabelOutsideTheClassesGivesNaNOnBothBackends() throws {
        for backend in [TestBackends.cpu as any LossOperations] + ((try? TestBackends.openCL()).map { [$0] } ?? []) {
            let result = try run(backend, [1, 2, 3, 1, 2, 3, 3, 2, 1], [3, -1, 2], rows: 3, classes: 3, scale: 1)
            XCTAssertTrue(result.loss[0].isNaN && result.loss[1].isNaN, "\(backend.name): labels 3 and −1 of 3 classes")
            XCTAssertEqual(result.correct, [0, 0, 0], backend.name)
            XCTAssertEqual(result.loss[2], log(exp(-2) + exp(-1) + 1) + 2, accuracy: 1e-6, backend.name)
        }
    }
}

extension BackendCore {
    /// `values` stored 7 values into a larger storage, so every kernel's offset argument is exercised.
    fileprivate func offsetTensor(_ values: [Float], shape: [Int]) throws -> Tensor {
        let storage = try makeStorage(capacity: values.count + 8)
        let tensor = Tensor(storage: storage, offset: 7, shape: shape)
        try upload(values, to: tensor)
        return tensor
    }
}
