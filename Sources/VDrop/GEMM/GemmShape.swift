/// The shape of one row-major GEMM, C (m×n) = op(A)·op(B) with op(A) m×k: what CLBlast's choice of
/// kernel and the speed of each configuration depend on.
public struct GemmShape: Hashable, Codable, Sendable, CustomStringConvertible {
    public var transposeA: Bool
    public var transposeB: Bool
    public var m: Int
    public var n: Int
    public var k: Int

    public init(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) {
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.m = m
        self.n = n
        self.k = k
    }

    /// m·n·k, the quantity CLBlast compares with `XGEMM_MIN_INDIRECT_SIZE`³.
    public var product: Int { m * n * k }

    public var description: String {
        "\(m)×\(n)×\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "")"
    }
}
