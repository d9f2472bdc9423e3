/// A GEMM tuning report (`vdrop tune`'s or a first use's JSON).
public enum TuningReportFile: FileKind {}

/// A tuning report that cannot be used, with the file and what is wrong with it.
public typealias TuningReportError = FileError<TuningReportFile>
