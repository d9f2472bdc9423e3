import Foundation
import XCTest

/// Compresses `file` in place with /bin/gzip (it becomes `file.gz`), as a user's files are.
func gzipFile(_ file: String, line: UInt = #line) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-f", file]
    try process.run()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "gzip \(file)", line: line)
}
