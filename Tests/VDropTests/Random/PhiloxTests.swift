import Foundation
@testable import VDrop
import XCTest
@testable import VDropCL

/// Philox4x32-10 against Random123's published known answers (kat_vectors), on the
/// host and in OpenCL C, the batched normals against single ones and Double, and their first moments.
final class PhiloxTests: XCTestCase {
    /// Random123 `examples/kat_vectors`, the "philox4x32 10" lines: counter, key, expected output.
    static let knownAnswers: [(counter: SIMD4<UInt32>, key: SIMD2<UInt32>, expected: SIMD4<UInt32>)] = [
        (SIMD4(0, 0, 0, 0), SIMD2(0, 0), SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
        (SIMD4(repeating: 0xffff_ffff), SIMD2(repeating: 0xffff_ffff), SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        (SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), SIMD2(0xa409_3822, 0x299f_31d0),
         SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ]

    func testSwiftPhiloxMatchesRandom123() {
        for (counter, key, expected) in Self.knownAnswers {
            XCTAssertEqual(Philox.block(counter: counter, key: key), expected, "counter \(counter), key \(key)")
        }
    }

    func testOpenCLPhiloxMatchesRandom123() throws {
        let backend = try TestBackends.openCL()
        let source = """
        #include "philox.clh"
        // out[4i..4i+3] = philox4x32_10(counter in[6i..6i+3], key in[6i+4..6i+5]).
        __kernel void philox_known_answers(__global const uint *in, __global uint *out, int count) {
            int i = get_global_id(0);
            if (i >= count) return;
            uint4 c = (uint4)(in[6 * i], in[6 * i + 1], in[6 * i + 2], in[6 * i + 3]);
            uint2 k = (uint2)(in[6 * i + 4], in[6 * i + 5]);
            uint4 r = philox4x32_10(c, k);
            out[4 * i] = r.x; out[4 * i + 1] = r.y; out[4 * i + 2] = r.z; out[4 * i + 3] = r.w;
        }
        """
        let kernel = try backend.programs.program(named: "philox_known_answers.cl", source: source).kernel("philox_known_answers")
        let count = Self.knownAnswers.count
        let inputs = Self.knownAnswers.flatMap { [$0.counter.x, $0.counter.y, $0.counter.z, $0.counter.w, $0.key.x, $0.key.y] }
        let input = try Buffer(context: backend.context, byteCount: inputs.count * 4)
        let output = try Buffer(context: backend.context, byteCount: count * 16)
        try input.write(bytesOf: inputs, atByte: 0, queue: backend.queue)
        try kernel.setArguments(input, output, Int32(count))
        try backend.queue.enqueue(kernel, global: [count])
        let words = try output.read(UInt32.self, count: 4 * count, atByte: 0, queue: backend.queue)
        for (i, answer) in Self.knownAnswers.enumerated() {
            XCTAssertEqual(SIMD4(words[4 * i], words[4 * i + 1], words[4 * i + 2], words[4 * i + 3]), answer.expected,
                           "OpenCL philox4x32_10 for counter \(answer.counter), key \(answer.key)")
        }
    }

    /// 100,000 normals: the sample mean has standard error 1/√n = 0.0032 and the sample
    /// variance √(2/n) = 0.0045; ±5 standard errors (0.016, 0.023) fail a correct generator
    /// with probability below 10⁻⁶. The mass within ±1 (0.6827, s.e. 0.0015) is held to ±0.0075.
    func testNormalsHaveMeanZeroAndVarianceOne() {
        let n = 100_000
        let key = NoiseKey(seed: 0xDEAD_BEEF_1234, step: 3, stream: 9)
        var sum = 0.0, sumOfSquares = 0.0, withinOne = 0
        for i in 0..<n {
            let z = Double(key.normal(i))
            sum += z
            sumOfSquares += z * z
            if abs(z) <= 1 { withinOne += 1 }
        }
        let mean = sum / Double(n), variance = sumOfSquares / Double(n) - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 0.016)
        XCTAssertEqual(variance, 1, accuracy: 0.023)
        XCTAssertEqual(Double(withinOne) / Double(n), 0.6827, accuracy: 0.0075)
    }

    /// The batched normals the CPU backend draws equal `normal(i)` bit for bit, also for ranges
    /// that start and end inside a group of thirty-two.
    func testFillNormalsEqualsSingleNormals() {
        let key = NoiseKey(seed: 0x0123_4567_89AB, step: 11, stream: 4)
        for (start, count) in [(0, 64), (3, 1), (5, 30), (16, 16), (17, 47), (33, 100), (1000, 3)] {
            var filled = [Float](repeating: .nan, count: count)
            filled.withUnsafeMutableBufferPointer { key.fillNormals($0.baseAddress!, start: start, count: count) }
            XCTAssertEqual(filled, (start..<(start + count)).map { key.normal($0) }, "normals \(start) ..< \(start + count)")
        }
    }

    /// Box–Muller against Double from the same Philox words: z = √(−2 ln u₁)·cos a with a = Float(2π)·u₂
    /// rounded to Float as both backends do, within 2e-6 + 2e-6·|z| (the device-vs-host tolerance).
    func testNormalsMatchDoubleBoxMuller() {
        let key = NoiseKey(seed: 77, step: 2, stream: 1)
        var worst = 0.0
        for group in 0..<5000 {
            let bits = key.block(group: UInt32(group))
            let z = Philox.normals(bits)
            let u = [bits.x, bits.y, bits.z, bits.w].map { Double(Philox.uniform($0)) }
            let r0 = (-2 * Foundation.log(u[0])).squareRoot(), r1 = (-2 * Foundation.log(u[2])).squareRoot()
            let a0 = Double(Philox.twoPi * Float(u[1])), a1 = Double(Philox.twoPi * Float(u[3]))
            let expected = [r0 * Foundation.cos(a0), r0 * Foundation.sin(a0), r1 * Foundation.cos(a1), r1 * Foundation.sin(a1)]
            for k in 0..<4 { worst = max(worst, abs(Double(z[k]) - expected[k]) / (2e-6 + 2e-6 * abs(expected[k]))) }
        }
        XCTAssertLessThanOrEqual(worst, 1, "Box–Muller: largest error \(worst) of the tolerance")
    }
}
