/// The part of ONNX's schema (onnx/onnx.proto, proto2) that vdrop writes and reads: field
/// numbers and enum values, in one place for the encoder and the decoder.
///
/// Hand-written rather than generated with swift-protobuf: vdrop needs nine messages and a few
/// fields of each, the wire format is already written (`ProtobufWriter`) and read
/// (`ProtobufReader`, with the checks a hostile file needs) in this project, and generated code
/// would bring a new package dependency and protoc into the build for those few fields.
enum ONNXSchema {
    /// The IR version written: 7 is ONNX 1.8's, the first that goes with opset 13.
    static let irVersion: Int64 = 7
    /// The default ("ai.onnx") operator set's version the graph is written against.
    static let opsetVersion: Int64 = 13

    enum Model {
        static let irVersion = 1, producerName = 2, producerVersion = 3, domain = 4, modelVersion = 5
        static let docString = 6, graph = 7, opsetImport = 8, metadataProps = 14
    }

    enum OperatorSetID {
        static let domain = 1, version = 2
    }

    enum StringStringEntry {
        static let key = 1, value = 2
    }

    enum Graph {
        static let node = 1, name = 2, initializer = 5, docString = 10, input = 11, output = 12
        static let valueInfo = 13, sparseInitializer = 15
    }

    enum Node {
        static let input = 1, output = 2, name = 3, opType = 4, attribute = 5, docString = 6, domain = 7
    }

    enum Attribute {
        static let name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, type = 20

        /// AttributeProto.AttributeType.
        enum Kind: Int32 {
            case float = 1, int = 2, string = 3, tensor = 4, graph = 5, floats = 6, ints = 7
        }
    }

    enum ValueInfo {
        static let name = 1, type = 2
    }

    enum TypeProto {
        static let tensorType = 1
    }

    enum TensorType {
        static let elementType = 1, shape = 2
    }

    enum TensorShape {
        static let dimension = 1
    }

    enum Dimension {
        static let value = 1, parameter = 2
    }

    enum Tensor {
        static let dims = 1, dataType = 2, segment = 3, floatData = 4, int32Data = 5, int64Data = 7
        static let name = 8, rawData = 9, externalData = 13, dataLocation = 14

        /// TensorProto.DataType: the two vdrop writes and reads.
        enum DataType: Int32 {
            case float = 1, int64 = 7
        }
    }

    /// metadata_props keys carrying `InferenceModel.Provenance`.
    enum Metadata {
        static let model = "vdrop.model", trim = "vdrop.trim", compression = "vdrop.compression"
        static let testErrorPercent = "vdrop.test_error_percent"
    }

    /// The names of the graph's input and output, for whoever runs the file.
    static let inputName = "input", outputName = "logits"
}
