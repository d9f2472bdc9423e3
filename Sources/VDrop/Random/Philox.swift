import Foundation

/// Philox4x32-10, the counter-based generator of Salmon et al. (SC'11) as published in Random123.
///
/// vdrop draws every random number from it: the weight noise ε, the shuffle of
/// the training set and the initial weights. `Kernels/philox.clh` is the same
/// function in OpenCL C, so both backends draw identical ε for the same
/// (seed, step, layer, element) and a run is a pure function of its seed.
public enum Philox {
    static let m0: UInt32 = 0xD251_1F53
    static let m1: UInt32 = 0xCD9E_8D57
    static let w0: UInt32 = 0x9E37_79B9
    static let w1: UInt32 = 0xBB67_AE85
    /// 2π rounded to nearest, the value OpenCL C gives the same literal (`Float.pi` rounds down).
    static let twoPi = Float(6.28318530717958647692)

    /// Ten rounds of Philox4x32 on `counter` with `key`: four independent 32-bit words.
    @inline(__always)
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for _ in 0..<10 {
            let p0 = UInt64(m0) &* UInt64(c.x)
            let p1 = UInt64(m1) &* UInt64(c.z)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c = SIMD4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0)
            k.x &+= w0
            k.y &+= w1
        }
        return c
    }

    /// Eight blocks at once, for counters (group…group+7, c1, c2, c3): the same rounds on SIMD
    /// lanes. Lane j of the result's word w is word w of block group+j. Eight lanes rather than four
    /// give the multiplier independent work while each round waits on the one before.
    @inline(__always)
    static func blocks8(group: UInt32, c1: UInt32, c2: UInt32, c3: UInt32, key: SIMD2<UInt32>)
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        var x = SIMD8<UInt32>(repeating: group) &+ SIMD8(0, 1, 2, 3, 4, 5, 6, 7)
        var y = SIMD8<UInt32>(repeating: c1), z = SIMD8<UInt32>(repeating: c2), w = SIMD8<UInt32>(repeating: c3)
        var k0 = key.x, k1 = key.y
        for _ in 0..<10 {
            let p0 = SIMD8<UInt64>(truncatingIfNeeded: x) &* UInt64(m0)
            let p1 = SIMD8<UInt64>(truncatingIfNeeded: z) &* UInt64(m1)
            let hi0 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32), lo0 = SIMD8<UInt32>(truncatingIfNeeded: p0)
            let hi1 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32), lo1 = SIMD8<UInt32>(truncatingIfNeeded: p1)
            x = hi1 ^ y ^ SIMD8(repeating: k0)
            y = lo1
            z = hi0 ^ w ^ SIMD8(repeating: k1)
            w = lo0
            k0 &+= w0
            k1 &+= w1
        }
        return (x, y, z, w)
    }

    /// The uniform in (0, 1) made from the top 24 bits of a word: ((w >> 8) + ½)·2⁻²⁴.
    /// Exact in Float32, so both backends get the same value bit for bit.
    @inline(__always)
    public static func uniform(_ word: UInt32) -> Float {
        (Float(word >> 8) + 0.5) * (1.0 / 16_777_216.0)
    }

    /// ``uniform(_:)`` of eight words, through Int32 so the conversion is one instruction.
    @inline(__always)
    static func uniforms(_ low: SIMD4<UInt32>, _ high: SIMD4<UInt32>) -> SIMD8<Float> {
        let words = SIMD8<Int32>(truncatingIfNeeded: SIMD8(lowHalf: low, highHalf: high) &>> 8)
        return (SIMD8<Float>(words) + 0.5) * (1.0 / 16_777_216.0)
    }

    /// Four standard normals from one block by Box–Muller:
    /// z₀ = r·cos 2πu₂, z₁ = r·sin 2πu₂ with r = √(−2 ln u₁), likewise z₂, z₃ from u₃, u₄.
    /// The same arithmetic as ``normals(x:y:z:w:)``, so a single ε equals the batched one.
    @inline(__always)
    public static func normals(_ bits: SIMD4<UInt32>) -> SIMD4<Float> {
        normals(x: SIMD4(repeating: bits.x), y: SIMD4(repeating: bits.y),
                z: SIMD4(repeating: bits.z), w: SIMD4(repeating: bits.w)).lowHalf.lowHalf
    }

    /// Box–Muller on four blocks at once, lane j holding block j's words as ``blocks8`` returns
    /// them (one half of its lanes); the result holds block 0's four normals, then block 1's, and so on. Vector log, sin
    /// and cos (``VectorMath``) instead of one libm call per value, which cost 12 ns per normal.
    @inline(__always)
    static func normals(x: SIMD4<UInt32>, y: SIMD4<UInt32>, z: SIMD4<UInt32>, w: SIMD4<UInt32>) -> SIMD16<Float> {
        // Lanes 0–3: blocks 0–3's first pair (from x, y); lanes 4–7: their second pair (z, w).
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(uniforms(x, z)))
        let (sine, cosine) = VectorMath.sinCos(twoPi * uniforms(y, w))
        let even = radius * cosine, odd = radius * sine
        // Interleave to (even, odd) pairs, then the first and second pairs of each block. Whole-vector
        // shuffles: reading the lanes one by one lets the compiler turn the math itself scalar.
        var first = SIMD8<Float>(), second = SIMD8<Float>()
        first.evenHalf = even.lowHalf
        first.oddHalf = odd.lowHalf
        second.evenHalf = even.highHalf
        second.oddHalf = odd.highHalf
        var blocks = SIMD8<UInt64>()
        blocks.evenHalf = unsafeBitCast(first, to: SIMD4<UInt64>.self)
        blocks.oddHalf = unsafeBitCast(second, to: SIMD4<UInt64>.self)
        return unsafeBitCast(blocks, to: SIMD16<Float>.self)
    }
}

/// Names one stream of noise: a run's seed, the training step and a layer (or another use).
///
/// Element `i` of the stream is normal `i % 4` of the Philox block with counter
/// (i / 4, stream, step low word, step high word) and key (seed low, seed high).
public struct NoiseKey: Equatable, Sendable {
    public var seed: UInt64
    public var step: UInt64
    public var stream: UInt32

    /// The position in the global batch of this batch's first sample. A layer's noise for sample
    /// b of its batch is element (firstSample + b)·(values per sample) + value of the stream, so
    /// each rank of a data-parallel run, holding samples firstSample ..< firstSample + batch of the
    /// global batch, draws exactly the noise one process draws for them.
    public var firstSample: Int

    public init(seed: UInt64, step: UInt64, stream: UInt32, firstSample: Int = 0) {
        self.seed = seed
        self.step = step
        self.stream = stream
        self.firstSample = firstSample
    }

    /// The stream element of this batch's first value, for a layer with `perSample` outputs per sample.
    @inline(__always)
    public func firstElement(perSample: Int) -> Int { firstSample * perSample }

    /// Streams below 0xFFFF_0000 are layers' weight noise (stream = weight-layer index); the
    /// ones above have fixed uses.
    /// The stream that shuffles the training set at each epoch (step = epoch).
    public static let shuffleStream: UInt32 = 0xFFFF_0001
    /// The stream that draws initial weights (step = layer index).
    public static let initStream: UInt32 = 0xFFFF_0002

    @inline(__always) var key: SIMD2<UInt32> {
        SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    /// The Philox block holding elements 4·group … 4·group+3.
    @inline(__always)
    public func block(group: UInt32) -> SIMD4<UInt32> {
        Philox.block(counter: SIMD4(group, stream, UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)), key: key)
    }

    /// The standard normal ε of element `index` of this stream.
    @inline(__always)
    public func normal(_ index: Int) -> Float {
        let z = Philox.normals(block(group: UInt32(truncatingIfNeeded: index >> 2)))
        return z[index & 3]
    }

    /// Fills `count` normals starting at element `start`, thirty-two (eight blocks on SIMD lanes) at a
    /// time; a partial group at either end is computed whole and only its part in range copied.
    public func fillNormals(_ destination: UnsafeMutablePointer<Float>, start: Int, count: Int) {
        let end = start + count
        let stepLow = UInt32(truncatingIfNeeded: step), stepHigh = UInt32(truncatingIfNeeded: step >> 32)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { scratch in
            guard let group = scratch.baseAddress else { return }
            var first = start & ~31
            while first < end {
                let (x, y, z, w) = Philox.blocks8(group: UInt32(truncatingIfNeeded: first >> 2), c1: stream, c2: stepLow, c3: stepHigh, key: key)
                let whole = first >= start && first + 32 <= end
                let target = UnsafeMutableRawPointer(whole ? destination + (first - start) : group)
                target.storeBytes(of: Philox.normals(x: x.lowHalf, y: y.lowHalf, z: z.lowHalf, w: w.lowHalf), as: SIMD16<Float>.self)
                target.storeBytes(of: Philox.normals(x: x.highHalf, y: y.highHalf, z: z.highHalf, w: w.highHalf),
                                  toByteOffset: 64, as: SIMD16<Float>.self)
                if !whole {
                    let lower = max(first, start), upper = min(first + 32, end)
                    (destination + (lower - start)).update(from: group + (lower - first), count: upper - lower)
                }
                first += 32
            }
        }
    }

    /// The uniform 32-bit word `index` of this stream (shuffles, initial weights).
    @inline(__always)
    public func word(_ index: Int) -> UInt32 {
        block(group: UInt32(truncatingIfNeeded: index >> 2))[index & 3]
    }
}
