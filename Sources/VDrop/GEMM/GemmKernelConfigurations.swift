/// The points of CLBlast's two SGEMM kernels that ``GemmTuner`` tries.
///
/// The ranges and the validity rules follow CLBlast's own tuners (`xgemm` variation 2 and
/// `xgemm_direct` variation 2): tile sizes must split evenly over the threads and vector widths,
/// a work-group may not exceed the device's, and the tiles kept in local memory must fit it.

/// One configuration of the indirect kernel `Xgemm` (its kernel 0: GEMMK = 0, KREG = 1).
public struct XgemmConfiguration: Hashable, Codable, Sendable {
    public var mwg, nwg, kwg, mdimc, ndimc, mdima, ndimb, kwi, vwm, vwn, strm, strn, sa, sb: Int

    /// The values `CLBlastOverrideParameters` takes, by CLBlast's names.
    public var parameters: [String: Int] {
        ["GEMMK": 0, "KREG": 1, "KWG": kwg, "KWI": kwi, "MDIMA": mdima, "MDIMC": mdimc, "MWG": mwg,
         "NDIMB": ndimb, "NDIMC": ndimc, "NWG": nwg, "SA": sa, "SB": sb, "STRM": strm, "STRN": strn,
         "VWM": vwm, "VWN": vwn]
    }

    public func isValid(maxWorkGroupSize: Int, localMemory: UInt64) -> Bool {
        // Every size divides something below, so none may be 0 (nor so large a product overflows).
        guard [mwg, nwg, kwg, mdimc, ndimc, mdima, ndimb, kwi, vwm, vwn].allSatisfy({ (1...1024).contains($0) }),
              [strm, strn, sa, sb].allSatisfy({ $0 == 0 || $0 == 1 }) else { return false }
        let threads = mdimc * ndimc
        guard threads <= maxWorkGroupSize, threads >= mdima, threads >= ndimb,
              kwg % kwi == 0,
              mwg % (mdimc * vwm) == 0, nwg % (ndimc * vwn) == 0,
              mwg % (mdima * vwm) == 0, nwg % (ndimb * vwn) == 0,
              kwg % (threads / mdima) == 0, kwg % (threads / ndimb) == 0 else { return false }
        let localBytes = 4 * (sa * kwg * mwg + sb * kwg * nwg)
        return UInt64(localBytes) <= localMemory
    }

    /// CLBlast's database entries for NVIDIA GPUs from Maxwell on, and its NVIDIA default (the
    /// configuration a chip missing from the database gets): good places to start.
    public static let seeds: [XgemmConfiguration] = [
        // (KWG, KWI, MDIMA, MDIMC, MWG, NDIMB, NDIMC, NWG, SA, SB, STRM, STRN, VWM, VWN)
        (32, 2, 8, 8, 32, 32, 32, 64, 1, 1, 0, 0, 4, 2),
        (32, 2, 16, 16, 64, 8, 8, 64, 1, 1, 0, 0, 4, 2),
        (16, 2, 16, 16, 64, 16, 8, 128, 1, 1, 1, 0, 4, 8),
        (16, 2, 8, 16, 128, 8, 8, 128, 1, 1, 1, 1, 4, 8),
        (16, 2, 32, 16, 128, 32, 8, 128, 1, 1, 1, 0, 4, 1),
        (32, 2, 16, 8, 64, 8, 8, 64, 1, 1, 1, 1, 4, 8),
        (16, 2, 32, 16, 64, 16, 8, 128, 1, 1, 0, 1, 2, 8),
        (32, 2, 16, 16, 64, 8, 8, 64, 1, 1, 0, 0, 4, 4),
        (32, 2, 8, 8, 32, 8, 8, 32, 1, 1, 0, 0, 4, 4),
    ].map { XgemmConfiguration(mwg: $0.4, nwg: $0.7, kwg: $0.0, mdimc: $0.3, ndimc: $0.6, mdima: $0.2, ndimb: $0.5,
                               kwi: $0.1, vwm: $0.12, vwn: $0.13, strm: $0.10, strn: $0.11, sa: $0.8, sb: $0.9) }

    /// A configuration drawn uniformly from CLBlast's wide search ranges (it may be invalid).
    public static func random(_ draw: (Int) -> Int) -> XgemmConfiguration {
        func pick(_ values: [Int]) -> Int { values[draw(values.count)] }
        let tiles = [16, 32, 64, 128], threads = [8, 16, 32], widths = [1, 2, 4, 8], flags = [0, 1]
        return XgemmConfiguration(mwg: pick(tiles), nwg: pick(tiles), kwg: pick([16, 32]), mdimc: pick(threads),
                                  ndimc: pick(threads), mdima: pick(threads), ndimb: pick(threads), kwi: 2,
                                  vwm: pick(widths), vwn: pick(widths), strm: pick(flags), strn: pick(flags),
                                  sa: pick(flags), sb: pick(flags))
    }
}

/// One configuration of the direct kernel `XgemmDirect` (square WGD×WGD×WGD tiles).
public struct XgemmDirectConfiguration: Hashable, Codable, Sendable {
    public var wgd, mdimcd, ndimcd, mdimad, ndimbd, kwid, vwmd, vwnd, pada, padb: Int

    public var parameters: [String: Int] {
        ["WGD": wgd, "KWID": kwid, "MDIMAD": mdimad, "MDIMCD": mdimcd, "NDIMBD": ndimbd, "NDIMCD": ndimcd,
         "PADA": pada, "PADB": padb, "VWMD": vwmd, "VWND": vwnd]
    }

    public func isValid(maxWorkGroupSize: Int, localMemory: UInt64) -> Bool {
        guard [wgd, mdimcd, ndimcd, mdimad, ndimbd, kwid, vwmd, vwnd].allSatisfy({ (1...1024).contains($0) }),
              [pada, padb].allSatisfy({ $0 == 0 || $0 == 1 }) else { return false }
        let threads = mdimcd * ndimcd
        guard threads <= maxWorkGroupSize, threads >= mdimad, threads >= ndimbd,
              wgd % kwid == 0,
              wgd % (mdimcd * vwmd) == 0, wgd % (ndimcd * vwnd) == 0,
              wgd % (mdimad * vwmd) == 0, wgd % (ndimbd * vwnd) == 0,
              wgd % (threads / mdimad) == 0, wgd % (threads / ndimbd) == 0 else { return false }
        let localBytes = 4 * (wgd * (wgd + pada) + wgd * (wgd + padb))
        return UInt64(localBytes) <= localMemory
    }

    /// CLBlast's default direct configuration and a few wider tiles of the same shape.
    public static let seeds: [XgemmDirectConfiguration] = [
        // (WGD, MDIMCD, NDIMCD, MDIMAD, NDIMBD, KWID, VWMD, VWND, PADA, PADB)
        (32, 8, 8, 8, 8, 2, 1, 1, 1, 1),
        (32, 8, 8, 8, 8, 2, 2, 2, 1, 1),
        (64, 16, 16, 16, 16, 2, 2, 2, 1, 1),
        (64, 8, 8, 8, 8, 8, 4, 4, 1, 1),
        (32, 16, 16, 16, 16, 8, 2, 2, 1, 1),
        (16, 8, 8, 8, 8, 2, 1, 1, 1, 1),
    ].map { XgemmDirectConfiguration(wgd: $0.0, mdimcd: $0.1, ndimcd: $0.2, mdimad: $0.3, ndimbd: $0.4,
                                     kwid: $0.5, vwmd: $0.6, vwnd: $0.7, pada: $0.8, padb: $0.9) }

    /// A configuration drawn uniformly from CLBlast's wide search ranges (it may be invalid).
    public static func random(_ draw: (Int) -> Int) -> XgemmDirectConfiguration {
        func pick(_ values: [Int]) -> Int { values[draw(values.count)] }
        let threads = [8, 16, 32], widths = [1, 2, 4, 8], flags = [0, 1]
        return XgemmDirectConfiguration(wgd: pick([8, 16, 32, 64]), mdimcd: pick(threads), ndimcd: pick(threads),
                                        mdimad: pick(threads), ndimbd: pick(threads), kwid: pick([2, 8, 16]),
                                        vwmd: pick(widths), vwnd: pick(widths), pada: pick(flags), padb: pick(flags))
    }
}
