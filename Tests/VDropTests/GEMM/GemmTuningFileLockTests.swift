import Foundation
import VDrop
import XCTest

/// Two tunes of one device at once take turns on the report's lock, and the report on disk is
/// always whole: a reader sees the old file or the new one.
final class GemmTuningFileLockTests: TemporaryFolderTestCase {
    func testASecondHolderWaitsForTheFirst() throws {
        let path = folder + "/cache/clblast-some-gpu.json"
        let held = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let times = TimeLine()
        Thread.detachNewThread {
            GemmTuningFile.withLock(path) {
                times.add("first in")
                held.signal()
                Thread.sleep(forTimeInterval: 0.3)
                times.add("first out")
            }
            done.signal()
        }
        held.wait()
        GemmTuningFile.withLock(path) { times.add("second in") }
        done.wait()
        XCTAssertEqual(times.events, ["first in", "first out", "second in"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".lock"))
    }

    func testALockInAFolderThatCannotBeMadeStillRunsTheBody() {
        var ran = false
        GemmTuningFile.withLock("/proc/vdrop-no-such-folder/report.json") { ran = true }
        XCTAssertTrue(ran)
    }

    /// Events in the order they happened, from several threads.
    final class TimeLine: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var events: [String] = []
        func add(_ event: String) { lock.lock(); events.append(event); lock.unlock() }
    }
}
