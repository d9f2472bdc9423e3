import VDrop

/// Checks every product a backend computes against OpenBLAS on the same operands and keeps the
/// largest error, each element normalized by |α|·|A|·|B| + |β|·|C| (see ``BackendAgreement``).
final class ProductCheck: ProductObserver {
    private let cpu = CPUBackend()
    private(set) var worst = 0.0

    var wantsOperands: Bool { true }

    func computed(_ product: ObservedProduct) throws {
        let shape = product.shape
        let (m, n, k) = (shape.m, shape.n, shape.k)
        func multiply(_ a: [Float], _ b: [Float], _ alpha: Float, _ beta: Float, _ c: [Float]) throws -> [Float] {
            let result = try cpu.tensor(c, shape: [m * n])
            try cpu.gemm(transposeA: shape.transposeA, transposeB: shape.transposeB, m: m, n: n, k: k, alpha: alpha,
                         a: try cpu.tensor(a, shape: [m * k]), b: try cpu.tensor(b, shape: [k * n]), beta: beta, c: result)
            return try cpu.download(result)
        }
        let initial = product.before ?? [Float](repeating: 0, count: m * n)
        let expected = try multiply(product.a, product.b, product.alpha, product.beta, initial)
        let bound = try multiply(product.a.map(abs), product.b.map(abs), abs(product.alpha), abs(product.beta), initial.map(abs))
        for i in 0..<(m * n) {
            worst = max(worst, BackendAgreement.normalized(Double(abs(product.after[i] - expected[i])), by: Double(bound[i])))
        }
    }
}
