/// What identifies the data a run trained on: the sizes and a digest of every byte.
///
/// A checkpoint records it so that `--resume` can refuse a different `--data` (another data
/// set, or the same files changed): resuming on other data would continue silently into a
/// run that is neither. The digest is a fast 64-bit mix over the pixels and labels of both
/// sets (a fingerprint against mistakes, not a cryptographic hash).
public struct DataIdentity: Codable, Equatable, Sendable, CustomStringConvertible {
    public var trainSamples: Int
    public var testSamples: Int
    /// One sample's shape, [channels, height, width].
    public var sampleShape: [Int]
    /// 16 hexadecimal digits.
    public var digest: String

    enum CodingKeys: String, CodingKey {
        case trainSamples = "train_samples", testSamples = "test_samples", sampleShape = "sample_shape", digest
    }

    /// Reads every byte once; ``DataSplit`` computes it when it is made, so the runs of a
    /// `--seeds` or `sweep` share it.
    init(train: Dataset, test: Dataset) {
        trainSamples = train.count
        testSamples = test.count
        sampleShape = train.sampleShape
        var hash = Digest64()
        for set in [train, test] {
            hash.add(set.pixels)
            hash.add(set.labels)
        }
        let hex = String(hash.value, radix: 16)
        digest = String(repeating: "0", count: 16 - hex.count) + hex
    }

    public var description: String {
        "\(trainSamples) training and \(testSamples) test samples of \(sampleShape.map(String.init).joined(separator: "×")), digest \(digest)"
    }
}

/// A 64-bit running digest over bytes, eight at a time: each word is mixed in with a
/// multiply–rotate step (from MurmurHash's 64-bit mix); the byte count ends it, so data that
/// differ only in trailing zeros differ.
struct Digest64 {
    private(set) var value: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var length: UInt64 = 0

    mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for w in 0..<words { mix(raw.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self)) }
            var tail: UInt64 = 0
            for (shift, i) in ((8 * words)..<raw.count).enumerated() { tail |= UInt64(raw[i]) << (8 * UInt64(shift)) }
            mix(tail)
        }
        length &+= UInt64(bytes.count)
        mix(length)
    }

    private mutating func mix(_ word: UInt64) {
        var k = word &* 0x87C3_7B91_1142_53D5
        k = (k << 31) | (k >> 33)
        k = k &* 0x4CF5_AD43_2745_937F
        value ^= k
        value = ((value << 27) | (value >> 37)) &* 5 &+ 0x52DC_E729
    }
}
