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
    /// As ``implicit``, and the input gradient too: a convolution of the output gradient with the
    /// flipped weights (the adjoint of a stride-1 convolution), two implicit products reading g'
    /// and gv' in their tile loads and one gather, instead of two products writing the column
    /// gradients (K² times the input's size each) and col2im.
    case implicitFull = "implicit-full"

    /// Whether the forward products and the weight gradients read x in their tile loads.
    public var readsPatchesImplicitly: Bool { self == .implicit || self == .implicitFull }

    public var description: String { rawValue }

    /// The route of a device nobody has measured: ``im2col``. On PoCL the fused kernels are
    /// vdrop's own tiled GEMM, which there runs well behind CLBlast (see ``GemmRoute``); on a GPU
    /// the choice waits for `vdrop bench --conv-routes im2col,fused,implicit` on the device.
    public static let standard = ConvRoute.im2col
}

/// A conv route with, optionally, the tiles of its paired kernel, as `--conv-route` and
/// `--conv-routes` spell it: `implicit`, `implicit:large`, `fused:tall`; without tiles,
/// ``standardTiles``.
public struct ConvRouteChoice: Equatable, Sendable, CustomStringConvertible {
    public var route: ConvRoute
    public var configuration: TiledGemmConfiguration?

    public init(route: ConvRoute, configuration: TiledGemmConfiguration? = nil) {
        self.route = route
        self.configuration = configuration
    }

    /// The paired kernel's tiles unless a choice names others: 64 × 128, 4 × 8 per work item, so
    /// the two products' 64 accumulators per item match `.large`'s one product.
    public static let standardTiles = TiledGemmConfiguration.wide

    /// The tiles by name: `gemm_tiled.cl`'s configurations that `vdrop tune` tries.
    public static let configurations: [(name: String, configuration: TiledGemmConfiguration)] = [
        ("small", .small), ("wide", .wide), ("tall", .tall), ("large", .large), ("large-deep", .largeDeep),
    ]

    /// nil when the route or the tiles' name is not one of these.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let route = ConvRoute(rawValue: first) else { return nil }
        guard parts.count == 2 else { self.init(route: route); return }
        guard route != .im2col, let named = Self.configurations.first(where: { $0.name == parts[1] }) else { return nil }
        self.init(route: route, configuration: named.configuration)
    }

    public var description: String {
        guard let configuration, let named = Self.configurations.first(where: { $0.configuration == configuration }) else {
            return route.rawValue
        }
        return "\(route):\(named.name)"
    }

    /// What the options accept, in words.
    public static let help = "im2col, fused, implicit or implicit-full, the last three optionally with their tiles: fused:T, implicit:T or implicit-full:T, "
        + "T one of \(configurations.map(\.name).joined(separator: ", ")) (default wide)"
}

extension OpenCLBackend {
    /// Sets ``convRoute`` and ``convGemmConfiguration``.
    public func useConvRoute(_ choice: ConvRouteChoice) {
        convRoute = choice.route
        convGemmConfiguration = choice.configuration ?? ConvRouteChoice.standardTiles
    }
}
