import Foundation

extension GemmTuningReport {
    /// Decodes a report's JSON and checks every number in it; `file` is the file errors name.
    ///
    /// A report is read back into CLBlast's kernels and vdrop's launch sizes, which divide by
    /// its tile sizes and multiply its shapes, so a hand-edited or damaged file must be refused
    /// here with a sentence rather than trap (or reach CLBlast's host code) later.
    public static func decode(_ data: Data, file: String) throws -> GemmTuningReport {
        let report: GemmTuningReport
        do {
            report = try JSONDecoder().decode(GemmTuningReport.self, from: data)
        } catch {
            throw TuningReportError(file: file, problem: "is not a tuning report from `vdrop tune` (\(error)). Delete it or run `vdrop tune` again.")
        }
        if let problem = report.problem {
            throw TuningReportError(file: file, problem: "is a damaged tuning report: \(problem). Delete it or run `vdrop tune` again.")
        }
        return report
    }

    /// The first value out of range, as a phrase; nil when every value is one `vdrop tune` could write.
    var problem: String? {
        let times = [libraryMsPerStep, tunedMsPerStep, seconds] + (ruleMsPerStep.map { [$0] } ?? [])
        if times.contains(where: { !($0.isFinite && $0 >= 0) }) { return "a time is negative or not a number" }
        if configurationsTried < 0 { return "configurationsTried is negative (\(configurationsTried))" }
        if let problem = parameters.problem { return problem }
        for timing in shapes {
            let shape = timing.shape
            // vdrop's kernels index with 32-bit ints; no product of a model comes near.
            guard [shape.m, shape.n, shape.k].allSatisfy({ (1...Int(Int32.max)).contains($0) }) else {
                return "the shape \(shape.m)×\(shape.n)×\(shape.k) has a size outside 1…\(Int32.max)"
            }
            guard timing.perStep >= 0 else { return "shape \(shape) runs \(timing.perStep) times per step" }
            let times = [timing.libraryMs, timing.tunedMs] + (timing.ruleMs.map { [$0] } ?? [])
            guard times.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "a time of shape \(shape) is negative or not a number" }
            if case .tiled(let configuration, let slices)? = timing.route {
                guard configuration.isValid(maxWorkGroupSize: Int.max, localMemory: .max) else {
                    return "the tiled configuration of shape \(shape) cannot be built (tiles \(configuration.tileM)×\(configuration.tileN)×\(configuration.tileK), items \(configuration.itemM)×\(configuration.itemN))"
                }
                guard (1...shape.k).contains(slices) else { return "shape \(shape) is cut into \(slices) slices along k = \(shape.k)" }
            }
        }
        return nil
    }
}

extension CLBlastParameters {
    /// The first parameter CLBlast could not build or launch with, as a phrase; nil when all can.
    /// CLBlast divides by most of them on the host, and checks none.
    var problem: String? {
        if let xgemm {
            guard let configuration = XgemmConfiguration(parameters: xgemm),
                  configuration.isValid(maxWorkGroupSize: Int.max, localMemory: .max) else {
                return "its Xgemm parameters are not a configuration `vdrop tune` tries (\(Self.describe(xgemm)))"
            }
        }
        if let xgemmDirect {
            guard let configuration = XgemmDirectConfiguration(parameters: xgemmDirect),
                  configuration.isValid(maxWorkGroupSize: Int.max, localMemory: .max) else {
                return "its XgemmDirect parameters are not a configuration `vdrop tune` tries (\(Self.describe(xgemmDirect)))"
            }
        }
        if let minIndirectSize, !(Self.alwaysIndirect...Self.alwaysDirect).contains(minIndirectSize) {
            return "its minIndirectSize \(minIndirectSize) lies outside \(Self.alwaysIndirect)…\(Self.alwaysDirect)"
        }
        return nil
    }

    private static func describe(_ values: [String: Int]) -> String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }
}

extension XgemmConfiguration {
    /// The configuration whose ``parameters`` these are (kernel 0: GEMMK = 0, KREG = 1), or nil
    /// when a name is missing or extra.
    init?(parameters p: [String: Int]) {
        guard Set(p.keys) == Set(XgemmConfiguration.seeds[0].parameters.keys), p["GEMMK"] == 0, p["KREG"] == 1,
              let mwg = p["MWG"], let nwg = p["NWG"], let kwg = p["KWG"], let mdimc = p["MDIMC"], let ndimc = p["NDIMC"],
              let mdima = p["MDIMA"], let ndimb = p["NDIMB"], let kwi = p["KWI"], let vwm = p["VWM"], let vwn = p["VWN"],
              let strm = p["STRM"], let strn = p["STRN"], let sa = p["SA"], let sb = p["SB"] else { return nil }
        self.init(mwg: mwg, nwg: nwg, kwg: kwg, mdimc: mdimc, ndimc: ndimc, mdima: mdima, ndimb: ndimb, kwi: kwi,
                  vwm: vwm, vwn: vwn, strm: strm, strn: strn, sa: sa, sb: sb)
    }
}

extension XgemmDirectConfiguration {
    /// The configuration whose ``parameters`` these are, or nil when a name is missing or extra.
    init?(parameters p: [String: Int]) {
        guard Set(p.keys) == Set(XgemmDirectConfiguration.seeds[0].parameters.keys),
              let wgd = p["WGD"], let mdimcd = p["MDIMCD"], let ndimcd = p["NDIMCD"], let mdimad = p["MDIMAD"],
              let ndimbd = p["NDIMBD"], let kwid = p["KWID"], let vwmd = p["VWMD"], let vwnd = p["VWND"],
              let pada = p["PADA"], let padb = p["PADB"] else { return nil }
        self.init(wgd: wgd, mdimcd: mdimcd, ndimcd: ndimcd, mdimad: mdimad, ndimbd: ndimbd, kwid: kwid,
                  vwmd: vwmd, vwnd: vwnd, pada: pada, padb: padb)
    }
}
