/// How an OpenCL conv layer with local reparameterization computes its products
/// (`vdrop bench --conv-route`, `--conv-routes`).
///
/// The forward pass needs mean = θ·col(x) and variance = σ²·col(x⊙x), the backward pass
/// ∂θ = g'·col(x)ᵀ and ∂σ² = gv'·col(x⊙x)ᵀ; col(x⊙x) = col(x)⊙col(x), so each pair shares its
/// column operand. The input gradient (θᵀ·g', (σ²)ᵀ·gv', col2im) is the same on every route.
public enum ConvRoute: String, CaseIterable, Sendable, CustomStringConvertible {
    /// im2col writes col(x) and col(x⊙x), then two GEMMs each (CLBlast or `gemm_tiled.cl`, as the
    /// GEMM routes say): the path every release before this one took.
    case im2col
    /// im2col writes col(x) only; `lrt_conv_gemm.cl` computes both products of a pair in one
    /// launch, loading each column tile once and squaring it in registers.
    case fused
    /// No im2col: the same fused products read the patches straight from x inside their tile
    /// loads (an implicit GEMM), forward and for the weight gradients. col(x) is never written.
    case implicit

    public var description: String { rawValue }

    /// The route of a device nobody has measured: ``im2col``. On PoCL the fused kernels are
    /// vdrop's own tiled GEMM, which there runs well behind CLBlast (see ``GemmRoute``); on a GPU
    /// the choice waits for `vdrop bench --conv-routes im2col,fused,implicit` on the device.
    public static let standard = ConvRoute.im2col

    /// The names `--conv-route` accepts, for help and error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
