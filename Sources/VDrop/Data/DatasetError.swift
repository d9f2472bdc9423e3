/// A data file or folder.
public enum DataFile: FileKind {}

/// A data file or folder that cannot be used, with the file and what is wrong with it.
public typealias DatasetError = FileError<DataFile>
