import Foundation
import VDropCL

/// What `vdrop tune` found for one device: the CLBlast parameters and the route of each product
/// shape, and the measurements behind them; a first use of the device (``GemmAutoTuning``) adds the
/// routes of the shapes it lacks. Saved as JSON; the OpenCL backend applies both when
/// it opens that device. Reports written before routes existed load without them.
public struct GemmTuningReport: Codable, Equatable, Sendable {
    public struct ShapeTiming: Codable, Equatable, Sendable {
        public var shape: GemmShape
        /// Runs per training step.
        public var perStep: Int
        /// Median milliseconds per run: on CLBlast with its own parameters, on vdrop's rule for the
        /// route (``GemmRoute/automatic(for:computeUnits:)``) with the chosen parameters, and on
        /// the chosen route. A shape added on first use (``GemmAutoTuning``) to a report with
        /// tuned parameters was timed on CLBlast with those; its `ruleMs` is nil when the rule's
        /// route was not among those timed.
        public var libraryMs: Double
        public var ruleMs: Double?
        public var tunedMs: Double
        /// The fastest engine measured for this shape.
        public var route: GemmRoute?

        public init(shape: GemmShape, perStep: Int, libraryMs: Double, ruleMs: Double?, tunedMs: Double, route: GemmRoute?) {
            self.shape = shape
            self.perStep = perStep
            self.libraryMs = libraryMs
            self.ruleMs = ruleMs
            self.tunedMs = tunedMs
            self.route = route
        }
    }

    public var device: String
    public var driver: String
    public var date: String
    public var parameters: CLBlastParameters
    /// Σ over a step's GEMMs of their median time: all on CLBlast with its own parameters, on
    /// vdrop's rule for the routes, and on the chosen parameters and routes.
    public var libraryMsPerStep: Double
    public var ruleMsPerStep: Double?
    public var tunedMsPerStep: Double
    public var configurationsTried: Int
    /// The configurations that failed to build, launch or compute the right product, and why.
    public var rejected: [String]
    public var seconds: Double
    public var shapes: [ShapeTiming]

    public init(device: String, driver: String, date: String, parameters: CLBlastParameters, libraryMsPerStep: Double,
                ruleMsPerStep: Double?, tunedMsPerStep: Double, configurationsTried: Int, rejected: [String], seconds: Double,
                shapes: [ShapeTiming]) {
        self.device = device
        self.driver = driver
        self.date = date
        self.parameters = parameters
        self.libraryMsPerStep = libraryMsPerStep
        self.ruleMsPerStep = ruleMsPerStep
        self.tunedMsPerStep = tunedMsPerStep
        self.configurationsTried = configurationsTried
        self.rejected = rejected
        self.seconds = seconds
        self.shapes = shapes
    }

    /// How much faster the step's GEMMs run tuned than all on CLBlast's own parameters.
    public var speedup: Double { libraryMsPerStep / tunedMsPerStep }

    /// The measured route of each shape.
    public var routes: [GemmShape: GemmRoute] {
        Dictionary(shapes.compactMap { timing in timing.route.map { (timing.shape, $0) } }, uniquingKeysWith: { first, _ in first })
    }
}

/// Where tuning reports live: one file per device, found again by the device's name.
public enum GemmTuningFile {
    /// `$VDROP_CACHE_DIR`, else `$XDG_CACHE_HOME/vdrop`, else `~/.cache/vdrop`.
    public static var folder: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["VDROP_CACHE_DIR"], !folder.isEmpty { return folder }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/vdrop" }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/vdrop"
    }

    /// `<folder>/clblast-<device name, letters and digits>.json`.
    public static func defaultPath(for device: Device) -> String {
        let slug = device.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return folder + "/clblast-" + slug.split(separator: "-").joined(separator: "-") + ".json"
    }

    public static func load(_ path: String) throws -> GemmTuningReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TuningReportError(file: path, problem: "cannot be read (no such file?). Run `vdrop tune` to write one.")
        }
        return try GemmTuningReport.decode(data, file: path)
    }

    public static func save(_ report: GemmTuningReport, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(report), to: path)
    }
}
