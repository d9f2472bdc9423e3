import VDrop
import XCTest

/// Every combination of transposes, (transposeA, transposeB).
let allTransposes: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]

/// Checks the device's SGEMM against OpenBLAS on m×k times k×n (by default 37×29 times 29×53,
/// no multiple of any tile) with α = 0.5 and β = 2, for each combination of `transposes`.
func assertSgemmMatchesCPU(_ backend: OpenCLBackend, _ what: String, size: (m: Int, n: Int, k: Int) = (37, 53, 29),
                           transposes: [(Bool, Bool)] = allTransposes, file: StaticString = #filePath, line: UInt = #line) throws {
    let cpu = TestBackends.cpu
    for (ta, tb) in transposes {
        let (m, n, k) = size
        let a = testValues(m * k, seed: 2), b = testValues(k * n, seed: 3), c = testValues(m * n, seed: 4)
        let gpuC = try backend.tensor(c, shape: [m, n])
        try backend.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5,
                         a: try backend.tensor(a, shape: [m * k]), b: try backend.tensor(b, shape: [k * n]), beta: 2, c: gpuC)
        let cpuC = try cpu.tensor(c, shape: [m, n])
        try cpu.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5,
                     a: try cpu.tensor(a, shape: [m * k]), b: try cpu.tensor(b, shape: [k * n]), beta: 2, c: cpuC)
        // Sums of at most 29 products of values in [-1, 1]: float rounding of either order stays below 1e-5.
        assertClose(try backend.download(gpuC), try cpu.download(cpuC), atol: 1e-5, rtol: 1e-5, "\(what): sgemm ta=\(ta) tb=\(tb)",
                    file: file, line: line)
    }
}
