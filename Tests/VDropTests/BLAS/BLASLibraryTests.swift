import Foundation
@testable import VDrop
import XCTest

/// The OpenBLAS vdrop loads: the kernels it asked for, products right within the stated
/// tolerance, and a self-check that does catch wrong products.
final class BLASLibraryTests: XCTestCase {
    func testTheLoadedLibraryRunsTheCoreThatWasChosen() throws {
        let blas = try BLASLibrary.shared()
        XCTAssertTrue(blas.configuration.hasPrefix("OpenBLAS"), blas.configuration)
        XCTAssertFalse(blas.path.isEmpty)
        if blas.coreChoice.source == .cpuid, let core = blas.coreChoice.core {
            // OpenBLAS accepted the name vdrop gave it (an unknown name is silently ignored).
            XCTAssertEqual(blas.coreName.lowercased(), core.lowercased(), blas.summary)
        }
        if blas.coreChoice.source == .cpuid {
            XCTAssertNil(getenv("OPENBLAS_CORETYPE"), "vdrop's choice must not stay in the environment its children inherit")
        }
    }

    func testOpenBLASProductsAgreeWithTheDoubleReference() throws {
        let outcome = BLASSelfCheck.run(on: try BLASLibrary.shared())
        XCTAssertEqual(outcome.products, 40)
        XCTAssertTrue(outcome.passed, outcome.failures.joined(separator: "\n"))
        print("BLAS self-check: \(outcome.summary)")
    }

    /// OpenBLAS's product through the self-check's signature, with `change` applied to what it gets.
    private func openBLAS(_ change: @escaping (BLASSelfCheck.Product) -> BLASSelfCheck.Product) throws -> BLASSelfCheck.Multiply {
        let blas = try BLASLibrary.shared()
        return { product, a, lda, b, ldb, c in
            let p = change(product)
            blas.sgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k, alpha: p.alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: p.beta, c: c, ldc: p.n)
        }
    }

    func testTheSelfCheckCatchesAProductMissingItsLastTerm() throws {
        let outcome = BLASSelfCheck.run(try openBLAS { p in
            BLASSelfCheck.Product(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k - 1,
                                  alpha: p.alpha, beta: p.beta)
        })
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.failures.count, outcome.products, "every product lacks a term: \(outcome.summary)")
    }

    func testTheSelfCheckCatchesAProductThatReadsCWhenBetaIsZero() throws {
        // β = 0 must not read C (the check fills it with NaN); β = 1e-30 reads it and spreads NaN.
        let outcome = BLASSelfCheck.run(try openBLAS { p in
            BLASSelfCheck.Product(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                  alpha: p.alpha, beta: p.beta == 0 ? 1e-30 : p.beta)
        })
        XCTAssertEqual(outcome.failures.count, outcome.products / 2, outcome.failures.joined(separator: "\n"))
    }

    func testTheSelfCheckCatchesAnErrorJustOverItsTolerance() throws {
        // α off by 2⁻¹⁸ = 64u: an error of at most 64u of each element's bound. Over the tolerance
        // (k + 2)·u for the small shapes, whose sums hardly cancel; within it at k = 257 and 1000,
        // as the worst case of a correct k-term sum grows with k.
        let outcome = BLASSelfCheck.run(try openBLAS { p in
            BLASSelfCheck.Product(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                  alpha: p.alpha * (1 + 0x1p-18), beta: p.beta)
        })
        let failedShapes = Set(outcome.failures.map { $0.components(separatedBy: ",")[0] })
        XCTAssertFalse(outcome.passed)
        XCTAssertTrue(failedShapes.allSatisfy { !$0.contains("×1000") && !$0.contains("×257") },
                      "a relative error of 2⁻¹⁸ is within the tolerance at k = 257 and 1000: \(failedShapes)")
    }
}
