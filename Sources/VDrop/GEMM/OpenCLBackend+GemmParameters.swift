import Foundation

/// Which CLBlast SGEMM parameters an OpenCL backend uses (`--gemm-parameters`).
public enum GemmParameterSource: Equatable, Sendable {
    /// The report `vdrop tune` or a first use (``GemmAutoTuning``) saved for this device
    /// (``GemmTuningFile/defaultPath(for:)``) when there is one, else CLBlast's own.
    case automatic
    /// CLBlast's own database.
    case library
    /// The report in this file, which must be for this device.
    case file(String)

    /// "auto", "library" or a path.
    public init(parsing text: String) {
        switch text {
        case "auto": self = .automatic
        case "library": self = .library
        default: self = .file(text)
        }
    }
}

extension OpenCLBackend {
    /// Applies the parameters `source` names; ``gemmParameters`` says afterwards which they are.
    public func useGemmParameters(_ source: GemmParameterSource) throws {
        let path: String
        switch source {
        case .library:
            try applyGemmParameters(CLBlastParameters.library)
            tunedGemmRoutes = [:]
            gemmParameters = "CLBlast's own"
            return
        case .automatic:
            path = GemmTuningFile.defaultPath(for: device)
            if !FileManager.default.fileExists(atPath: path) { return try useGemmParameters(.library) }
        case .file(let file):
            path = file
        }
        let report = try GemmTuningFile.load(path)
        guard report.device == device.name else {
            throw TuningReportError(file: path, problem: "was tuned for \(report.device), not \(device.name). Run `vdrop tune` on this device.")
        }
        try applyGemmParameters(report.parameters)
        adoptRoutes(of: report, from: path)
    }

    /// Takes the routes of `report` (whose parameters are applied already) and says so in
    /// ``gemmParameters``.
    public func adoptRoutes(of report: GemmTuningReport, from path: String) {
        tunedGemmRoutes = report.routes
        let routes = report.routes.isEmpty ? "" : ", \(report.routes.values.filter { $0 != .clblast }.count) of \(report.routes.count) shapes routed to vdrop's kernel"
        let own = report.configurationsTried == 0 ? "CLBlast's own (routes timed on first use: \(path))"
            : "CLBlast's own (tuning found nothing faster: \(path))"
        gemmParameters = (report.parameters == .library ? own : "tuned (\(path))") + routes
    }
}
