import VDropCL

/// A device backend's GEMM settings, which the CLI and the tools set and show through
/// ``BackendCore/gemmControl`` rather than through a backend's class. The CPU backend has none:
/// its products are OpenBLAS's.
public protocol GemmControl: AnyObject {
    var device: Device { get }
    /// Which engine runs each product (``GemmRouting``).
    var gemmRouting: GemmRouting { get set }
    /// The routes a tuning report gave, by shape (empty when none was applied).
    var tunedGemmRoutes: [GemmShape: GemmRoute] { get }
    /// Where CLBlast's SGEMM parameters came from, for messages.
    var gemmParameters: String { get }
    /// How a conv layer's products run (``ConvRoute``).
    var convRoute: ConvRoute { get }
    /// Sets the conv route and its tiles.
    func useConvRoute(_ choice: ConvRouteChoice)
    /// How a seed batch's conv products on CLBlast run (``SeedProducts``).
    var seedProducts: SeedProducts { get set }
}
