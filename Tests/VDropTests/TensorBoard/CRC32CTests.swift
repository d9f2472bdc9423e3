import VDrop
import XCTest

/// CRC-32C against published answers: the check value of the CRC catalogue and the iSCSI
/// vectors of RFC 3720 (B.4), and the masked form against TensorFlow's (computed with
/// tensorboard's `masked_crc32c`).
final class CRC32CTests: XCTestCase {
    func testKnownAnswers() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
    }

    func testMaskedAnswersEqualTensorFlows() {
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.masked([UInt8]()), 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked([UInt8](repeating: 0, count: 32)), 0x0FD7_FFFA)
        XCTAssertEqual(CRC32C.masked((0..<32).map { UInt8($0) }), 0x951F_7892)
    }
}
