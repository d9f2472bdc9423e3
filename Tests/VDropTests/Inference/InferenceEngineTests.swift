import VDrop
import XCTest
import VDropTools

/// The dense and sparse paths on both backends against the Double reference forward of
/// ``InferenceModel``: hand-built networks of each model's shape, ~90–98% zeros.
final class InferenceEngineTests: XCTestCase {
    /// Float sums in another order than the Double reference: relative error ≤ 1e-4 of the
    /// largest logit (a logit near 0 has no meaningful relative error of its own).
    func assertMatchesReference(_ model: InferenceModel, backend: any Backend, path: InferencePath, batchSize: Int, count: Int,
                                _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let samples = testValues(count * model.sampleShape.reduce(1, *), seed: 77, in: -1...2)
        let expected = model.referenceLogits(samples: samples, count: count)
        let engine = try InferenceEngine(model: model, backend: backend, path: path, batchSize: batchSize)
        let logits = try engine.logits(samples: samples, count: count)
        let scale = expected.map(abs).max() ?? 1
        assertClose(logits, expected, atol: 1e-4 * scale, rtol: 1e-4, "\(what) \(path) on \(backend.name)", file: file, line: line)
        // The same class wherever the reference's top two logits are not within rounding of each other.
        let predicted = InferenceModel.argmaxRows(logits, columns: model.classes)
        for n in 0..<count {
            let row = expected[(n * model.classes)..<((n + 1) * model.classes)].sorted(by: >)
            if row.count > 1 && row[0] - row[1] > 1e-3 * scale {
                XCTAssertEqual(predicted[n], InferenceModel.argmaxRows(Array(expected[(n * model.classes)..<((n + 1) * model.classes)]), columns: model.classes)[0],
                               "\(what) \(path) on \(backend.name): sample \(n)", file: file, line: line)
            }
        }
    }

    func backends() -> [any Backend] {
        var list: [any Backend] = [TestBackends.cpu]
        if let device = try? TestBackends.openCL() { list.append(device) }
        return list
    }

    func testLeNet300ShapedPathsMatchTheReference() throws {
        let model = SparseTestModels.lenet300
        XCTAssertLessThan(Double(model.weightCounts.nonZero) / Double(model.weightCounts.total), 0.05)
        for backend in backends() {
            for path in InferencePath.allCases {
                // 7 samples in passes of 3: the last pass holds 1; batch 1 alone as well.
                try assertMatchesReference(model, backend: backend, path: path, batchSize: 3, count: 7, "lenet300")
                try assertMatchesReference(model, backend: backend, path: path, batchSize: 1, count: 2, "lenet300 batch 1")
            }
        }
    }

    func testLargeBatchesTakeTheThreadedSIMDLoops() throws {
        // 40 samples in one pass: the CSR product's eight-lane rows and the threaded split.
        for path in InferencePath.allCases {
            try assertMatchesReference(SparseTestModels.lenet300, backend: TestBackends.cpu, path: path, batchSize: 40, count: 40, "lenet300 ×40")
        }
    }

    func testLeNet5ShapedPathsMatchTheReference() throws {
        for backend in backends() {
            for path in InferencePath.allCases {
                try assertMatchesReference(SparseTestModels.lenet5, backend: backend, path: path, batchSize: 4, count: 5, "lenet5")
            }
        }
    }

    func testVGGShapedPathsWithBatchNormMatchTheReference() throws {
        for backend in backends() {
            for path in InferencePath.allCases {
                try assertMatchesReference(SparseTestModels.vgglike, backend: backend, path: path, batchSize: 4, count: 6, "vgglike")
            }
        }
    }

    func testInputSelectionEmptyRowsAndAnAllZeroLayer() throws {
        let model = SparseTestModels.selectedWithEmptyRows
        for backend in backends() {
            for path in InferencePath.allCases {
                try assertMatchesReference(model, backend: backend, path: path, batchSize: 5, count: 7, "selected inputs")
            }
        }
    }

    func testThePlanFusesAndSwitchesLayoutsWhereTheSparsePathNeedsThem() {
        let sparse = InferencePlan(model: SparseTestModels.lenet5, path: .sparse).steps.map(\.operation)
        XCTAssertEqual(sparse, [.sparseConv(stage: 0, relu: true), .maxPool, .sparseConv(stage: 3, relu: true), .maxPool,
                                .transpose(toFeatureMajor: true), .csrDense(stage: 6, relu: true), .csrDense(stage: 8, relu: false),
                                .transpose(toFeatureMajor: false)])
        let dense = InferencePlan(model: SparseTestModels.lenet5, path: .dense).steps.map(\.operation)
        XCTAssertEqual(dense, [.conv(stage: 0, activation: .reluMaxPool), .conv(stage: 3, activation: .reluMaxPool),
                               .dense(stage: 6, relu: true), .dense(stage: 8, relu: false)])
        let selected = InferencePlan(model: SparseTestModels.selectedWithEmptyRows, path: .sparse).steps
        XCTAssertEqual(selected.first?.operation, .selectInput(transposed: true))
        XCTAssertEqual(selected.first?.outputShape, [98])
        XCTAssertEqual(selected.last?.outputLayout, .sampleMajor)
        XCTAssertEqual(InferencePath.automatic(for: SparseTestModels.lenet300), .sparse)
        var full = SparseTestModels.lenet300
        full.stages = [SparseTestModels.dense("d", 784, 10, density: 1, seed: 5)]
        XCTAssertEqual(InferencePath.automatic(for: full), .dense)
    }

    func testReductionsCountBytesAndMultiplyAdds() {
        let model = SparseTestModels.lenet300
        let r = InferenceReductions(model: model)
        let (total, kept) = model.weightCounts
        XCTAssertEqual(r.denseWeightBytes, 4 * total)
        XCTAssertEqual(r.csrWeightBytesInt64, 12 * kept + 8 * (301 + 101 + 11))
        XCTAssertEqual(r.denseMultiplyAdds, total)
        XCTAssertEqual(r.sparseMultiplyAdds, kept)
    }
}
