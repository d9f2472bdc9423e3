import Foundation

/// Decodes protocol-buffer wire format from a file that may be damaged or hostile: every
/// length, varint and nesting level is checked, and anything wrong is a `ModelFileError` naming
/// the file and the byte where it happened, never a trap.
///
/// The reader walks one message's fields in order (`nextField()`); a length-delimited field's
/// bytes become a nested reader (`message(_:)`) one level deeper. Unknown fields are the
/// caller's to skip (every field is fully consumed by `nextField()`, so skipping is ignoring).
/// Groups (wire types 3 and 4, deprecated since proto2) are refused: no message vdrop reads uses them.
public struct ProtobufReader {
    /// A decoded field's value, by wire type.
    public enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        /// A nested message, a string, raw bytes or a packed repeated field.
        case bytes(ArraySlice<UInt8>)
    }

    /// How deep messages may nest. ONNX's model → graph → node → attribute → tensor is five
    /// levels; 32 leaves room for any schema vdrop reads and stops a file of nested lengths
    /// from recursing without end.
    public static let maximumDepth = 32

    public let file: String
    /// What is being read, for the sentences ("ModelProto.graph.node").
    public let context: String
    public let depth: Int
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    public init(_ bytes: [UInt8], file: String, context: String) {
        self.init(bytes[...], file: file, context: context, depth: 0)
    }

    private init(_ bytes: ArraySlice<UInt8>, file: String, context: String, depth: Int) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.file = file
        self.context = context
        self.depth = depth
    }

    public var isAtEnd: Bool { position >= bytes.endIndex }

    /// A sentence about this reader's message and the offset in it where reading stopped.
    public func error(_ problem: String) -> ModelFileError {
        ModelFileError(file: file, problem: "\(context) (byte \(position - bytes.startIndex) of \(bytes.count)): \(problem)")
    }

    /// The next field number and its value, or nil at the end of the message.
    public mutating func nextField() throws -> (field: Int, value: Value)? {
        guard !isAtEnd else { return nil }
        let key = try readVarint()
        let field = key >> 3
        guard field >= 1, field <= 536_870_911 else {
            throw error("field number \(field) is outside protobuf's 1…536870911; the file is not a protobuf message or is damaged.")
        }
        switch key & 7 {
        case 0: return (Int(field), .varint(try readVarint()))
        case 1: return (Int(field), .fixed64(try readLittleEndian(UInt64.self)))
        case 5: return (Int(field), .fixed32(try readLittleEndian(UInt32.self)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw error("field \(field) declares \(length) bytes, but only \(bytes.endIndex - position) remain (truncated or damaged).")
            }
            let end = position + Int(length)
            defer { position = end }
            return (Int(field), .bytes(bytes[position..<end]))
        case let type:
            throw error("field \(field) has wire type \(type), which no message vdrop reads uses (groups or an invalid type); the file is damaged.")
        }
    }

    /// A reader for a nested message's bytes, one level deeper.
    public func message(_ value: ArraySlice<UInt8>, context: String) throws -> ProtobufReader {
        guard depth + 1 <= Self.maximumDepth else {
            throw error("messages nest more than \(Self.maximumDepth) levels deep; the file is damaged or hostile.")
        }
        return ProtobufReader(value, file: file, context: "\(self.context).\(context)", depth: depth + 1)
    }

    /// Base-128 varint, least significant group first: at most 10 bytes, the tenth holding bit 63 only.
    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        for index in 0..<10 {
            guard position < bytes.endIndex else {
                throw error("a varint runs past the end of the message (truncated or damaged).")
            }
            let byte = bytes[position]
            position += 1
            if index == 9 && byte > 1 {
                throw error("a varint's tenth byte is \(byte); a 64-bit varint holds at most 1 there (damaged).")
            }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return result }
        }
        throw error("a varint is longer than 10 bytes (damaged).")
    }

    private mutating func readLittleEndian<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard bytes.endIndex - position >= size else {
            throw error("a \(size)-byte value runs past the end of the message (truncated or damaged).")
        }
        var value: T = 0
        for offset in 0..<size { value |= T(bytes[position + offset]) << (8 * offset) }
        position += size
        return value
    }
}

extension ProtobufReader.Value {
    /// The wire type's name, for sentences about a field of the wrong kind.
    var wireTypeName: String {
        switch self {
        case .varint: return "a varint"
        case .fixed64: return "a 64-bit value"
        case .fixed32: return "a 32-bit value"
        case .bytes: return "a length-delimited value"
        }
    }
}

extension ProtobufReader {
    /// A varint field as a signed int64 (protobuf's int64 and int32 encode negatives as two's complement).
    public func int64(_ value: Value, _ name: String) throws -> Int64 {
        guard case .varint(let raw) = value else { throw error("\(name) should be a varint, not \(value.wireTypeName).") }
        return Int64(bitPattern: raw)
    }

    /// A varint field that must fit an Int32 (an enum or int32 field).
    public func int32(_ value: Value, _ name: String) throws -> Int32 {
        let wide = try int64(value, name)
        guard let narrow = Int32(exactly: wide) else { throw error("\(name) is \(wide), outside int32.") }
        return narrow
    }

    public func float(_ value: Value, _ name: String) throws -> Float {
        guard case .fixed32(let raw) = value else { throw error("\(name) should be a 32-bit float, not \(value.wireTypeName).") }
        return Float(bitPattern: raw)
    }

    public func bytes(_ value: Value, _ name: String) throws -> ArraySlice<UInt8> {
        guard case .bytes(let slice) = value else { throw error("\(name) should be length-delimited, not \(value.wireTypeName).") }
        return slice
    }

    public func string(_ value: Value, _ name: String) throws -> String {
        guard let text = String(bytes: try bytes(value, name), encoding: .utf8) else {
            throw error("\(name) is not valid UTF-8.")
        }
        return text
    }

    /// A repeated int64 field's occurrence: one value (unpacked, proto2's default) or a packed run.
    public func int64s(_ value: Value, _ name: String) throws -> [Int64] {
        guard case .bytes(let packed) = value else { return [try int64(value, name)] }
        var run = try message(packed, context: name)
        var values: [Int64] = []
        while !run.isAtEnd { values.append(Int64(bitPattern: try run.readVarint())) }
        return values
    }

    /// A repeated float field's occurrence: one value or a packed run of 4-byte floats.
    public func floats(_ value: Value, _ name: String) throws -> [Float] {
        guard case .bytes(let packed) = value else { return [try float(value, name)] }
        guard packed.count % 4 == 0 else { throw error("\(name) holds \(packed.count) bytes, not a whole number of 4-byte floats.") }
        return stride(from: packed.startIndex, to: packed.endIndex, by: 4).map { start in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(packed[start + $1]) << (8 * $1) })
        }
    }
}
