import Foundation
import VDrop
import XCTest

/// Checkpoints built to break the reader: hostile safetensors headers, metadata out of range,
/// and a seeded mutation fuzz of a real checkpoint. Each must load or throw a sentence naming
/// the file; a trap would kill the test process, so these passing is the proof.
final class HostileCheckpointTests: XCTestCase {
    /// A safetensors file with this header JSON and `body` bytes of data.
    private func safetensors(_ header: String, body: Int) -> Data {
        var json = Data(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        return data + json + Data(count: body)
    }

    private func assertRefused(_ data: Data, containing phrase: String, _ what: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data, file: "hostile.safetensors"), what, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hostile.safetensors") && text.contains(phrase), "\(what): \(text)", line: line)
        }
    }

    func testHostileSafetensorsHeadersAreSentences() {
        let tensor = { (name: String, shape: String, offsets: String) in
            "\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
        }
        let cases: [(String, Int, String, String)] = [
            ("{" + tensor("a", "[1099511627776,1099511627776]", "[0,0]") + "}", 0, "overflows", "shape [2^40, 2^40]"),
            ("{" + tensor("a", "[300,4611686018427387904]", "[0,0]") + "}", 0, "overflows", "shape [300, 2^62]"),
            ("{" + tensor("a", "[2]", "[1,-9223372036854775808]") + "}", 8, "starts at byte 1", "offsets [1, -2^63]"),
            ("{" + tensor("a", "[2]", "[0,-9223372036854775808]") + "}", 8, "disagree with its shape", "offsets [0, -2^63]"),
            ("{" + tensor("a", "[-2,-4]", "[0,32]") + "}", 32, "negative dimension -2", "negative dimensions"),
            ("{" + tensor("a", "[4]", "[0,16]") + "}", 8, "ends at byte 16", "offsets past the end"),
            ("{" + tensor("a", "[2]", "[0,8]") + "," + tensor("b", "[2]", "[4,12]") + "}", 12, "overlaps", "overlapping offsets"),
            ("{" + tensor("a", "[1]", "[0,4]") + "," + tensor("b", "[1]", "[8,12]") + "}", 12, "leaves a gap", "a gap"),
            ("{" + tensor("a", "[1]", "[0,4]") + "}", 8, "trailing bytes", "trailing bytes"),
            ("{" + tensor("a", "[1]", "[0,4,8]") + "}", 4, "needs two", "three offsets"),
            ("{" + tensor("a", "[1.5]", "[0,4]") + "}", 4, "malformed header entry", "a fractional dimension"),
            ("{" + tensor("a", "[1]", "[0,18446744073709551616]") + "}", 4, "malformed header entry", "an offset past UInt64"),
            ("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "is F16; a checkpoint holds F32 tensors only", "F16"),
            ("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "malformed header entry", "no dtype"),
            ("{\"__metadata__\":{\"x\":1}}", 0, "__metadata__ is not a map of strings", "numeric metadata"),
            ("[1,2,3]", 0, "not a JSON object", "an array"),
            ("hello", 0, "not a JSON object", "not JSON"),
            ("{\"a\":", 0, "not a JSON object", "cut JSON"),
        ]
        for (header, body, phrase, what) in cases {
            assertRefused(safetensors(header, body: body), containing: phrase, what)
        }
        var nonUTF8 = safetensors("{\"a\": 1}", body: 0)
        nonUTF8[10] = 0xFF
        assertRefused(nonUTF8, containing: "not UTF-8", "non-UTF-8")
        var long = safetensors("{}", body: 0)
        long[6] = 1  // 2^48 + 8 bytes of header
        assertRefused(long, containing: "truncated?", "header length past the file")
        assertRefused(Data([8, 0, 0]), containing: "shorter than a safetensors header", "three bytes")
        // Tensors listed out of order, and empty tensors, are fine when their ranges tile the data.
        let unordered = "{" + tensor("b", "[1]", "[4,8]") + "," + tensor("z", "[0,3]", "[4,4]") + "," + tensor("a", "[1]", "[0,4]") + "}"
        XCTAssertEqual(try SafeTensors.decode(safetensors(unordered, body: 8), file: "x").entries.keys.sorted(), ["a", "b", "z"])
    }

    /// A real checkpoint of LeNet-300-100 (random weights), its bytes, and the network it restores into.
    static let saved: Result<(data: Data, network: Network, checkpoint: Checkpoint), Error> = Result {
        let network = try Network(model: .lenet300, batch: 1, backend: TestBackends.cpu)
        try network.initializeParameters(seed: 3)
        var configuration = TrainingConfiguration()
        configuration.model = .lenet300
        configuration.epochs = 4
        configuration.decayFrom = 2
        let checkpoint = try Checkpoint(network: network, configuration: configuration, epoch: 2, step: 120)
        let path = NSTemporaryDirectory() + "vdrop-hostile-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try checkpoint.write(to: path)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), network, checkpoint)
    }

    /// `checkpoint` as written to disk and read back.
    private func roundTrip(_ checkpoint: Checkpoint) throws -> Checkpoint {
        let path = NSTemporaryDirectory() + "vdrop-hostile-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try checkpoint.write(to: path)
        return try Checkpoint(contentsOf: path)
    }

    /// A name vdrop does not know in a checkpoint's configuration is a sentence saying so.
    func testUnknownNamesInTheConfigurationAreRefused() throws {
        let (data, _, _) = try Self.saved.get()
        let (entries, metadata) = try SafeTensors.decode(data, file: "saved")
        for (phrase, from, to) in [("is not a model", #""model":"lenet300""#, #""model":"resnet""#),
                                   ("is not an objective", #""objective":"ard""#, #""objective":"magic""#),
                                   ("is not a trimming rule", #""trim":"mu:0.01""#, #""trim":"median""#)] {
            var edited = metadata
            let json = try XCTUnwrap(metadata["vdrop.configuration"])
            XCTAssertTrue(json.contains(from), json)
            edited["vdrop.configuration"] = json.replacingOccurrences(of: from, with: to)
            let bytes = try SafeTensors.encode(entries.values.sorted { $0.name < $1.name }, metadata: edited)
            XCTAssertThrowsError(try Checkpoint(data: bytes, file: "hostile.safetensors"), phrase) { error in
                XCTAssertTrue(error is ModelFileError && "\(error)".contains(phrase) && "\(error)".contains("hostile.safetensors"), "\(phrase): \(error)")
            }
        }
    }

    func testMetadataOutOfRangeIsRefusedBeforeANetworkIsBuilt() throws {
        let good = try Self.saved.get().checkpoint
        XCTAssertEqual(try roundTrip(good).step, 120)
        let edits: [(String, (inout Checkpoint) -> Void)] = [
            ("the batch size must be at least 1", { $0.configuration.batch = 0 }),
            ("the batch size must be at least 1", { $0.configuration.batch = -100 }),
            ("the number of epochs must lie between 1 and", { $0.configuration.epochs = 0; $0.epoch = 0; $0.step = 0 }),
            ("the learning rate must be a number above 0", { $0.configuration.learningRate = -1 }),
            ("the loss read-back interval must be at least 1", { $0.configuration.logEvery = 0 }),
            ("after epoch -1", { $0.epoch = -1 }),
            ("after epoch 5 of a 4-epoch run", { $0.epoch = 5 }),
            ("at step -120", { $0.step = -120 }),
            ("at step 121 after epoch 2", { $0.step = 121 }),
            ("at step 1 after epoch 2", { $0.step = 1 }),
            ("at step 3 after epoch 0", { $0.epoch = 0; $0.step = 3 }),
        ]
        for (phrase, edit) in edits {
            var damaged = good
            edit(&damaged)
            XCTAssertThrowsError(try roundTrip(damaged), phrase) { error in
                XCTAssertTrue("\(error)".contains(phrase) && "\(error)".contains(".safetensors"), "\(phrase): \(error)")
            }
        }
    }

    func testDamagedOptimizerStateIsRefusedOnRestore() throws {
        let (_, network, good) = try Self.saved.get()
        var damaged = good
        damaged.tensors["optimizer.adam_second_moment"]?.values[7] = -1
        XCTAssertThrowsError(try damaged.restore(into: network, file: "hostile")) { error in
            XCTAssertTrue("\(error)".contains("damaged optimizer state"), "\(error)")
        }
        damaged = good
        damaged.tensors["optimizer.adam_first_moment"]?.values[0] = .nan
        XCTAssertThrowsError(try damaged.restore(into: network, file: "hostile"))
        XCTAssertNoThrow(try good.restore(into: network, file: "fine"))
    }

    /// 400 seeded mutations of a real checkpoint, most in its header (where the sizes, offsets and
    /// configuration are): each loads and restores, or throws a sentence naming the file.
    func testMutatedCheckpointsLoadOrThrowNeverTrap() throws {
        let (original, network, _) = try Self.saved.get()
        let headerEnd = 8 + Int(original.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) })
        var random = SplitMix64(seed: 0x5EED)
        var networks: [ModelKind: Network] = [.lenet300: network]
        var outcomes = (loaded: 0, refused: 0)
        for round in 0..<400 {
            var bytes = [UInt8](original)
            switch round % 10 {
            case 0:  // cut short
                bytes.removeLast(Int(random.next(below: UInt64(bytes.count))))
            case 1, 2:  // anywhere, mostly the tensors' bytes
                for _ in 0..<(1 + random.next(below: 4)) { bytes[Int(random.next(below: UInt64(bytes.count)))] = UInt8(truncatingIfNeeded: random.next()) }
            case 3, 4, 5:  // a digit of the header becomes another digit or a sign: sizes, offsets, settings
                let digits = (0..<headerEnd).filter { (0x30...0x39).contains(bytes[$0]) }
                for _ in 0..<(1 + random.next(below: 2)) {
                    bytes[digits[Int(random.next(below: UInt64(digits.count)))]] = Array("0123456789-".utf8)[Int(random.next(below: 11))]
                }
            default:  // any byte of the header, length included
                for _ in 0..<(1 + random.next(below: 3)) { bytes[Int(random.next(below: UInt64(headerEnd)))] = UInt8(truncatingIfNeeded: random.next()) }
            }
            let file = "mutant-\(round).safetensors"
            do {
                let checkpoint = try Checkpoint(data: Data(bytes), file: file)
                let model = checkpoint.configuration.model
                if networks[model] == nil { networks[model] = try Network(model: model, batch: 1, backend: TestBackends.cpu) }
                try checkpoint.restore(into: networks[model]!, file: file)
                outcomes.loaded += 1
            } catch {
                XCTAssertTrue(error is ModelFileError && "\(error)".contains(file), "round \(round): \(error)")
                outcomes.refused += 1
            }
        }
        XCTAssertGreaterThan(outcomes.loaded, 10, "some mutants are harmless (a changed weight)")
        XCTAssertGreaterThan(outcomes.refused, 200, "most mutants are refused")
    }
}

/// A small seeded generator for mutations (Vigna's SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}
