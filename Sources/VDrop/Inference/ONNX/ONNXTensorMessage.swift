/// An ONNX TensorProto (an initializer): its name, dims and values, float32 or int64.
///
/// The values may come in `raw_data` (little-endian, what vdrop and PyTorch write) or in the
/// typed repeated fields (`float_data`, `int64_data`); either way their count must be the
/// product of the dims, computed with checked arithmetic, and a negative dim, an unknown data
/// type or weights kept in an external file are sentences.
struct ONNXTensorMessage {
    enum Values {
        case floats([Float])
        case int64s([Int64])
    }

    var name = ""
    var dims: [Int] = []
    var values: Values

    init(_ reader: ProtobufReader) throws {
        var reader = reader
        typealias F = ONNXSchema.Tensor
        var dims: [Int64] = [], dataType: Int32 = 0
        var raw: ArraySlice<UInt8>?, floatData: [Float] = [], int64Data: [Int64] = [], hasOtherData = false
        while let (field, value) = try reader.nextField() {
            switch field {
            case F.dims: dims += try reader.int64s(value, "dims")
            case F.dataType: dataType = try reader.int32(value, "data_type")
            case F.name: name = try reader.string(value, "name")
            case F.rawData: raw = try reader.bytes(value, "raw_data")
            case F.floatData: floatData += try reader.floats(value, "float_data")
            case F.int64Data: int64Data += try reader.int64s(value, "int64_data")
            case F.int32Data: hasOtherData = true
            case F.segment: throw reader.error("tensor \"\(name)\" is stored in segments, which vdrop does not read.")
            case F.externalData, F.dataLocation:
                throw reader.error("tensor \"\(name)\" keeps its values in an external file; vdrop reads only self-contained ONNX files (save the model without external data).")
            default: break
            }
        }
        var count = 1
        for dim in dims {
            guard dim >= 0 else { throw reader.error("tensor \"\(name)\" has the negative dimension \(dim).") }
            // A dim past Int's range cannot be a real tensor; refusing it keeps the product checked.
            guard let size = Int(exactly: dim) else { throw reader.error("tensor \"\(name)\" has the dimension \(dim), too large.") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw reader.error("tensor \"\(name)\" has dims \(dims) whose product overflows.") }
            count = product
        }
        self.dims = dims.map { Int($0) }
        guard let type = F.DataType(rawValue: dataType) else {
            throw reader.error("tensor \"\(name)\" has data type \(dataType); vdrop reads float32 (1) weights and int64 (7) indices only.")
        }
        guard !hasOtherData else { throw reader.error("tensor \"\(name)\" stores its values in int32_data, which a \(type) tensor does not use.") }
        let elementSize = type == .float ? 4 : 8
        if let raw {
            guard floatData.isEmpty, int64Data.isEmpty else { throw reader.error("tensor \"\(name)\" has both raw_data and typed data.") }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
            guard !overflow, raw.count == bytes else {
                throw reader.error("tensor \"\(name)\" has dims \(dims) (\(count) values) but \(raw.count) bytes of raw_data, not \(count) × \(elementSize).")
            }
            values = type == .float ? .floats(Self.littleEndian(raw, as: UInt32.self).map(Float.init(bitPattern:)))
                                    : .int64s(Self.littleEndian(raw, as: UInt64.self).map(Int64.init(bitPattern:)))
        } else {
            switch type {
            case .float:
                guard int64Data.isEmpty else { throw reader.error("tensor \"\(name)\" is float32 but holds int64_data.") }
                values = .floats(floatData)
            case .int64:
                guard floatData.isEmpty else { throw reader.error("tensor \"\(name)\" is int64 but holds float_data.") }
                values = .int64s(int64Data)
            }
            let held = type == .float ? floatData.count : int64Data.count
            guard held == count else {
                throw reader.error("tensor \"\(name)\" has dims \(dims) (\(count) values) but holds \(held).")
            }
        }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, as _: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return stride(from: bytes.startIndex, to: bytes.endIndex, by: size).map { start in
            (0..<size).reduce(T(0)) { $0 | T(bytes[start + $1]) << (8 * $1) }
        }
    }
}
