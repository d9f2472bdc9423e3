import VDrop

/// The CLBlast parameters the tests override CLBlast's own with, shared by every test that applies some.
///
/// The parameters are #defines in the source CLBlast hands to OpenCL, so each distinct set is a
/// program of its own. On PoCL one costs about 10 s of CPU to build, whichever kernels are used:
/// CLBlast reads the built program's binary back, and for that PoCL compiles every kernel in it
/// (copies, pads, transposes, the indirect kernel and the direct kernel for each transposition).
/// PoCL caches the result on disk by source, so tests that apply the same set build it once per
/// machine; tests that each picked their own set built four programs on a cold cache.
///
/// CLBlast keeps an override for the rest of the process, until the next override of the same
/// kernel: `CLBlastClearCache` empties its program caches, not its parameters, and its C API
/// cannot read its own parameters back to restore them. Applying ``CLBlastParameters/library``
/// after an override therefore changes nothing, and a test must leave valid parameters behind.
enum TestGemmParameters {
    /// Products below ``smallestIndirect``³ (m·n·k) run on the direct kernel (`XgemmDirect`), larger
    /// ones on the indirect kernel (`Xgemm`): both overridden, with CLBlast's smallest seeds.
    static let overridden = CLBlastParameters(xgemm: XgemmConfiguration.seeds[8].parameters,
                                              xgemmDirect: XgemmDirectConfiguration.seeds[5].parameters,
                                              minIndirectSize: smallestIndirect)
    static let smallestIndirect = 32
    /// A product ``overridden`` runs on the direct kernel (7429 < 32³), and one it runs on the
    /// indirect kernel (56 869 ≥ 32³); neither a multiple of any tile.
    static let directSize = (m: 23, n: 19, k: 17), indirectSize = (m: 37, n: 53, k: 29)

    /// Every product on the indirect kernel, with 16-row tiles that its 8 threads × vector width 4
    /// cannot split: wrong products.
    static let broken: CLBlastParameters = {
        var tiles = XgemmConfiguration.seeds[8]
        tiles.mwg = 16
        return CLBlastParameters(xgemm: tiles.parameters, minIndirectSize: CLBlastParameters.alwaysIndirect)
    }()
}
