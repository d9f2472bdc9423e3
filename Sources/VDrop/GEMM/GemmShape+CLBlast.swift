import COpenCL

/// A row-major product's shape as CLBlast's SGEMM calls and vdrop's launch labels spell it.
extension GemmShape {
    /// "NN", "NT", "TN" or "TT": the transposes in BLAS letters.
    var transposeLetters: String { "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }

    /// CLBlast's transpose arguments for A and B.
    var clblastTransposes: (a: CLBlastTranspose, b: CLBlastTranspose) {
        (transposeA ? CLBlastTransposeYes : CLBlastTransposeNo, transposeB ? CLBlastTransposeYes : CLBlastTransposeNo)
    }

    /// The leading dimensions of the stored operands, row-major: A's row length (k, or m
    /// transposed), B's (n, or k transposed) and C's (n).
    var leadingDimensions: (a: Int, b: Int, c: Int) { (transposeA ? m : k, transposeB ? k : n, n) }
}
