import Foundation
@testable import VDrop
import XCTest

/// The bytes of an event file: protobuf fields, TFRecord framing and whole `Event` messages
/// equal what TensorBoard's own Python writer produces for the same values (the expected hex
/// was printed by tensorboard 2.21's `RecordWriter` and its `event_pb2`/`summary_pb2`).
final class EventFileTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testProtobufFieldEncodings() {
        var w = ProtobufWriter()
        w.appendVarint(300)
        XCTAssertEqual(w.bytes, [0xAC, 0x02], "varint: 7 bits a byte, least significant first")
        w = ProtobufWriter()
        w.int64(2, -1)
        XCTAssertEqual(w.bytes, [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01], "a negative int64 takes ten bytes")
        w = ProtobufWriter()
        w.double(1, 1.5)
        XCTAssertEqual(hex(w.bytes), "09000000000000f83f")
        w = ProtobufWriter()
        w.float(2, 0.25)
        XCTAssertEqual(hex(w.bytes), "150000803e")
        w = ProtobufWriter()
        w.string(1, "run/x")
        XCTAssertEqual(hex(w.bytes), "0a0572756e2f78")
        w = ProtobufWriter()
        w.packedDoubles(6, [0, 2])
        XCTAssertEqual(hex(w.bytes), "321000000000000000000000000000000040")
    }

    func testTFRecordFramingEqualsTensorBoards() {
        XCTAssertEqual(hex(TFRecord.frame(Array("vdrop".utf8))), "0500000000000000eab2043e7664726f70d5e82b9c")
        XCTAssertEqual(hex(TFRecord.frame([])), "000000000000000029039807d8ea82a2")
        let two = TFRecord.frame([1, 2, 3]) + TFRecord.frame(Array("vdrop".utf8))
        XCTAssertEqual(TFRecord.records(two), [[1, 2, 3], Array("vdrop".utf8)])
        var damaged = two
        damaged[13] ^= 1
        XCTAssertNil(TFRecord.records(damaged), "a flipped bit fails the data's checksum")
        XCTAssertNil(TFRecord.records(Array(two.dropLast())), "a torn last record is refused")
    }

    func testEventMessagesEqualProtobufs() {
        XCTAssertEqual(hex(TensorBoardEvent.fileVersion(wallTime: 1.5)), "09000000000000f83f1a0d627261696e2e4576656e743a32")
        XCTAssertEqual(hex(TensorBoardEvent.summary(wallTime: 1.5, step: 3, values: [.scalar(tag: "run/x", value: 0.25)])),
                       "09000000000000f83f10032a0e0a0c0a0572756e2f78150000803e")
        let histogram = TensorBoardHistogram(min: -1, max: 2, count: 3, sum: 1.5, sumSquares: 5.25, bucketLimits: [0, 2], buckets: [1, 2])
        XCTAssertEqual(hex(TensorBoardEvent.summary(wallTime: 2, step: 7, values: [.histogram(tag: "theta/dense1", histogram: histogram)])),
                       "09000000000000004010072a630a610a0c74686574612f64656e7365312a5109000000000000f0bf11000000000000004019000000000000084021"
                       + "000000000000f83f2900000000000015403210000000000000000000000000000000403a10000000000000f03f0000000000000040")
    }

    /// A fixed-range histogram becomes TensorBoard buckets without its empty ends, the last
    /// limit stretched over values that were counted in the last bin from beyond the range.
    func testHistogramBucketsFromFixedBins() {
        let h = WeightHistogram([-0.5, 0.1, 0.2, 0.7, 5], lower: -2, upper: 2, bins: 8)
        XCTAssertEqual(h.counts, [0, 0, 0, 1, 2, 1, 0, 1], "bins of 0.5 from −2; 5 counts in the last")
        XCTAssertEqual(h.count, 5)
        let t = TensorBoardHistogram(h)
        XCTAssertEqual(t.buckets, [1, 2, 1, 0, 1])
        XCTAssertEqual(t.bucketLimits, [0, 0.5, 1, 1.5, 5])
        XCTAssertEqual(t.min, -0.5)
        XCTAssertEqual(t.max, 5)
        XCTAssertEqual(t.sum, 5.5, accuracy: 1e-6)
    }

    /// A written file: the version record first, then one framed event per write, all intact.
    func testEventFileHoldsFramedEvents() throws {
        let folder = NSTemporaryDirectory() + "vdrop-events-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try EventFileWriter(directory: folder)
        try writer.write(step: 1, values: [.scalar(tag: "run/test_error", value: 12.5)])
        try writer.write(step: 2, values: [.scalar(tag: "run/test_error", value: 11.25)])
        XCTAssertTrue((writer.path as NSString).lastPathComponent.hasPrefix("events.out.tfevents."))
        let records = try XCTUnwrap(TFRecord.records(Array(try Data(contentsOf: URL(fileURLWithPath: writer.path)))))
        XCTAssertEqual(records.count, 3)
        XCTAssertTrue(hex(records[0]).hasSuffix("1a0d627261696e2e4576656e743a32"), "the first event names the file version")
        XCTAssertTrue(hex(records[2]).hasSuffix("0a0e72756e2f746573745f6572726f721500003441"), "the second scalar: its tag, then 11.25 as a float")
    }

    /// The scalars of an epoch record are named after metrics.jsonl's keys.
    func testScalarTagsFollowTheMetricsKeys() {
        var record = EpochRecord(epoch: 4, lr: 1e-3, beta: 1, dataTerm: 10, regularizer: 20, trainError: 3, testError: nil,
                                 compression: 7, seconds: 1, imagesPerSecond: 100)
        record.layers = [LayerMetrics(layer: "dense1", weights: 10, keptMu: 0.5, keptLogAlpha: 0.25, logAlphaP5: -1, logAlphaP25: 0,
                                      logAlphaP50: 1, logAlphaP75: 2, logAlphaP95: 3, meanAbsTheta: 0.125)]
        var tags: [String: Float] = [:]
        for case .scalar(let tag, let value) in TensorBoardObserver.scalars(of: record) { tags[tag] = value }
        XCTAssertEqual(tags["run/compression"], 7)
        XCTAssertEqual(tags["run/train_error"], 3)
        XCTAssertNil(tags["run/test_error"], "an epoch --eval-every skipped has no test error")
        XCTAssertNil(tags["run/epoch"], "the epoch is the step, not a scalar")
        XCTAssertEqual(tags["kept_mu/dense1"], 0.5)
        XCTAssertEqual(tags["log_alpha_p95/dense1"], 3)
        XCTAssertEqual(tags["mean_abs_theta/dense1"], 0.125)
        XCTAssertNil(tags["weights/dense1"])
        XCTAssertEqual(tags.count, 8 + 8)
    }
}
