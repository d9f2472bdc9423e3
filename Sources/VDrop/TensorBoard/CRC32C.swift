/// CRC-32C (Castagnoli), the checksum TFRecord framing puts around every record.
///
/// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF (the iSCSI CRC).
/// A 256-entry table, one byte per step: event files are a few kilobytes per epoch, so a
/// sliced or hardware CRC would buy nothing measurable here.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes` (CRC32C("123456789") = 0xE3069283).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form, ((crc >> 15) | (crc << 17)) + 0xA282EAD8: a CRC of data that
    /// itself holds CRCs is weak, so TensorFlow rotates and offsets the stored value.
    public static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
