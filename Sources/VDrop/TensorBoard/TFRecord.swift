/// TFRecord framing, the container of TensorBoard's event files: each record is
///
///     uint64 length | uint32 masked_crc32c(length) | data[length] | uint32 masked_crc32c(data)
///
/// all little-endian, so a reader can tell a torn last record (a killed writer) from a whole one.
public enum TFRecord {
    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        record += length
        record += littleEndianBytes(CRC32C.masked(length))
        record += data
        record += littleEndianBytes(CRC32C.masked(data))
        return record
    }

    /// The records of `bytes`, in order; nil when a length or a checksum does not match
    /// (the reader TensorBoard uses refuses those too).
    public static func records(_ bytes: [UInt8]) -> [[UInt8]]? {
        var records: [[UInt8]] = []
        var position = 0
        while position < bytes.count {
            guard bytes.count - position >= 12 else { return nil }
            let lengthBytes = Array(bytes[position..<(position + 8)])
            guard readUInt32(bytes, at: position + 8) == CRC32C.masked(lengthBytes) else { return nil }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let start = position + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else { return nil }
            let data = Array(bytes[start..<(start + Int(length))])
            guard readUInt32(bytes, at: start + Int(length)) == CRC32C.masked(data) else { return nil }
            records.append(data)
            position = start + Int(length) + 4
        }
        return records
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
