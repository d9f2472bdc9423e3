import Foundation

extension SafeTensors {
    /// A safetensors header, decoded and typed: `{"__metadata__": {string: string},
    /// "<name>": {"dtype": "F32" or "I64", "shape": [Int], "data_offsets": [begin, end]}, ...}`.
    /// Only its form is checked here; the sizes are checked by ``SafeTensors/decode(_:file:)``.
    struct Header {
        struct Tensor {
            var name: String
            var dtype: String
            var shape: [Int]
            /// Byte range in the data after the header.
            var begin: Int
            var end: Int
        }

        var tensors: [Tensor] = []
        var metadata: [String: String] = [:]

        /// Decodes the JSON of `bytes`; `fail` turns a problem into the error to throw.
        init(_ bytes: Data, fail: (String) -> ModelFileError) throws {
            guard String(data: bytes, encoding: .utf8) != nil else { throw fail("its header is not UTF-8 text.") }
            let fields: [String: Field]
            do {
                fields = try JSONDecoder().decode([String: Field].self, from: bytes)
            } catch {
                throw fail("its header is not a JSON object of tensors (\(Self.reason(error))).")
            }
            for (name, field) in fields {
                switch (name, field) {
                case ("__metadata__", .metadata(let values)):
                    metadata = values
                case ("__metadata__", _):
                    throw fail("its __metadata__ is not a map of strings to strings.")
                case (_, .tensor(let dtype, let shape, let offsets)):
                    guard offsets.count == 2 else {
                        throw fail("tensor \"\(name)\" has \(offsets.count) data_offsets; it needs two, [begin, end].")
                    }
                    tensors.append(Tensor(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
                case (_, .other), (_, .metadata):
                    throw fail("tensor \"\(name)\" has a malformed header entry (it needs dtype, shape and data_offsets, the last two integers).")
                }
            }
        }

        /// A decoding error's own words, short: what was wrong, not the whole coding path.
        private static func reason(_ error: Error) -> String {
            switch error {
            case DecodingError.dataCorrupted(let context): return context.debugDescription
            case DecodingError.typeMismatch(_, let context): return context.debugDescription
            default: return "\(error)"
            }
        }

        /// One value of the header's top-level object, as far as its form goes.
        enum Field: Decodable {
            case tensor(dtype: String, shape: [Int], offsets: [Int])
            case metadata([String: String])
            case other

            private enum Keys: String, CodingKey { case dtype, shape, data_offsets }

            init(from decoder: Decoder) throws {
                if let keyed = try? decoder.container(keyedBy: Keys.self), keyed.contains(.dtype),
                   let dtype = try? keyed.decode(String.self, forKey: .dtype),
                   let shape = try? keyed.decode([Int].self, forKey: .shape),
                   let offsets = try? keyed.decode([Int].self, forKey: .data_offsets) {
                    self = .tensor(dtype: dtype, shape: shape, offsets: offsets)
                } else if let values = try? decoder.singleValueContainer().decode([String: String].self) {
                    self = .metadata(values)
                } else {
                    self = .other
                }
            }
        }
    }
}
