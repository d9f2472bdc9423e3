import Foundation
import XCTest

/// A test case with a folder of its own under the system's temporary folder: made empty before
/// each test, removed with what the test wrote after it.
class TemporaryFolderTestCase: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        folder = NSTemporaryDirectory() + "vdrop-\(type(of: self))-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
        try super.tearDownWithError()
    }
}
