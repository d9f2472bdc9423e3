import Foundation

/// Products of the loaded OpenBLAS checked against a Double reference, once per process.
///
/// Why: some OpenBLAS builds compute wrong results on some processors (a kernel's edge tile, a
/// small-matrix path, a skipped block of k), and whichever kernels ``BLASCoreChoice`` picked,
/// the CPU backend is the oracle that every OpenCL kernel is held to, so a wrong BLAS would be
/// blamed on the device. Every transpose pair runs on shapes that end in partial tiles, a k past
/// every core's inner block, and 67 × 129 × 257 (large enough for the packed, optimized path);
/// each once with α = 1, β = 0 over a C full of NaN (BLAS must not read C then) and once with
/// α = 1.5, β = −0.5 over a random C.
///
/// Tolerance: each element's error, divided by |α|·|op(A)|·|op(B)| + |β|·|C| (computed exactly
/// in Double), must be at most (k + 2)·u with u = 2⁻²⁴: Higham's worst-case bound γₖ for a
/// k-term Float dot product in any summation order, plus the roundings of α and β. A correct
/// kernel stays far below it (about √k·u); a missing or repeated term, or a wrong edge tile,
/// is of order 1/k of the bound or larger.
public enum BLASSelfCheck {
    /// One product: C (m × n) = α·op(A)·op(B) + β·C, inner size k.
    public struct Product: Sendable, CustomStringConvertible {
        public let transposeA: Bool, transposeB: Bool
        public let m: Int, n: Int, k: Int
        public let alpha: Float, beta: Float

        public var description: String {
            "\(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B") \(m)×\(n)×\(k), α \(alpha), β \(beta)"
        }
    }

    /// What the check found.
    public struct Outcome: Sendable {
        public let products: Int
        /// The largest error as a fraction of its element's bound, and the product it is in.
        public let worstError: Double
        public let worstProduct: Product
        /// The worst product's tolerance, (k + 2)·2⁻²⁴.
        public let worstTolerance: Double
        /// A sentence for each product over its tolerance.
        public let failures: [String]
        public var passed: Bool { failures.isEmpty }

        /// One sentence: what ran, the worst error and its tolerance, and the verdict.
        public var summary: String {
            let verdict = passed ? "correct" : "WRONG in \(failures.count) of \(products)"
            return "\(products) products (every transpose pair, 1×1×1 to 67×129×257) against a Double reference: "
                + "largest error \(String(format: "%.1e", worstError)) of |α|·|A|·|B| + |β|·|C| in \(worstProduct) "
                + "(its tolerance (k + 2)·2⁻²⁴ = \(String(format: "%.1e", worstTolerance))): \(verdict)."
        }
    }

    /// (m, n, k): a single element, small shapes with partial tiles of every micro-kernel (and
    /// OpenBLAS's small-matrix path), a k of 1000 past the inner block each x86 core packs
    /// (GEMM_Q, a few hundred), and the large case.
    public static let shapes = [(1, 1, 1), (5, 3, 7), (17, 33, 9), (19, 40, 1000), (67, 129, 257)]

    public static let products: [Product] = shapes.flatMap { m, n, k in
        [(false, false), (false, true), (true, false), (true, true)].flatMap { transposeA, transposeB in
            [(Float(1), Float(0)), (1.5, -0.5)].map { alpha, beta in
                Product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, beta: beta)
            }
        }
    }

    /// (k + 2)·u, u = 2⁻²⁴ (see the type's comment).
    public static func tolerance(k: Int) -> Double { Double(k + 2) * 0x1p-24 }

    private static let once: Result<Outcome, Error> = Result { run(on: try BLASLibrary.shared()) }

    /// The process's check of ``BLASLibrary/shared()``, run at the first call (about 40 ms).
    public static func result() throws -> Outcome { try once.get() }

    /// Computes one product into C: (product, A, lda, B, ldb, C), row-major, ldc = n.
    typealias Multiply = (Product, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void

    /// Runs every product on `library` (its own threads as they are set) and compares.
    public static func run(on library: BLASLibrary) -> Outcome {
        run { product, a, lda, b, ldb, c in
            library.sgemm(transposeA: product.transposeA, transposeB: product.transposeB, m: product.m, n: product.n,
                          k: product.k, alpha: product.alpha, a: a, lda: lda, b: b, ldb: ldb, beta: product.beta,
                          c: c, ldc: product.n)
        }
    }

    /// Runs every product through `multiply` and compares (tests hand it deliberately wrong ones).
    static func run(_ multiply: Multiply) -> Outcome {
        var worst: (ratio: Double, error: Double, product: Product) = (-1, 0, products[0])
        var failures: [String] = []
        for (index, product) in products.enumerated() {
            let (error, place) = maximumError(of: product, multiply: multiply, seed: UInt64(index))
            let tolerance = tolerance(k: product.k)
            let ratio = error.isNaN ? .infinity : error / tolerance
            if ratio > worst.ratio { worst = (ratio, error, product) }
            if !(error <= tolerance) {
                failures.append("\(product): error \(String(format: "%.2e", error)) of the bound at C[\(place / product.n)][\(place % product.n)], over the tolerance \(String(format: "%.1e", tolerance)).")
            }
        }
        return Outcome(products: products.count, worstError: worst.error, worstProduct: worst.product,
                       worstTolerance: tolerance(k: worst.product.k), failures: failures)
    }

    /// The largest |C − reference| / bound over C's elements, and where (row-major index).
    private static func maximumError(of product: Product, multiply: Multiply, seed: UInt64) -> (Double, Int) {
        let (m, n, k) = (product.m, product.n, product.k)
        let key = NoiseKey(seed: seed, step: 0, stream: 0xB1A5)
        // Values in [−1, 1) with 24 significant bits, so each is exact in Float and Double.
        func values(_ count: Int, from start: Int) -> [Float] {
            (0..<count).map { Float(Int32(bitPattern: key.word(start + $0)) >> 8) * 0x1p-23 }
        }
        let a = values(m * k, from: 0), b = values(k * n, from: m * k)
        let initial = product.beta == 0 ? [Float](repeating: .nan, count: m * n) : values(m * n, from: m * k + k * n)
        var c = initial
        // Row-major op(A) is m × k: A is stored k × m when transposed; likewise op(B).
        let lda = product.transposeA ? m : k, ldb = product.transposeB ? k : n
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in multiply(product, a.baseAddress!, lda, b.baseAddress!, ldb, c.baseAddress!) }
            }
        }
        func opA(_ i: Int, _ p: Int) -> Double { Double(product.transposeA ? a[p * lda + i] : a[i * lda + p]) }
        func opB(_ p: Int, _ j: Int) -> Double { Double(product.transposeB ? b[j * ldb + p] : b[p * ldb + j]) }
        let alpha = Double(product.alpha), beta = Double(product.beta)
        var worst = (error: 0.0, index: 0)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let term = opA(i, p) * opB(p, j)
                    sum += term
                    magnitude += abs(term)
                }
                let before = beta == 0 ? 0 : Double(initial[i * n + j])
                let expected = alpha * sum + beta * before
                let bound = abs(alpha) * magnitude + abs(beta) * abs(before)
                let error = abs(Double(c[i * n + j]) - expected)
                let relative = error.isNaN ? .nan : bound > 0 ? error / bound : (error == 0 ? 0 : .infinity)
                if relative.isNaN || relative > worst.error { worst = (relative, i * n + j) }
                if relative.isNaN { return worst }
            }
        }
        return worst
    }
}
