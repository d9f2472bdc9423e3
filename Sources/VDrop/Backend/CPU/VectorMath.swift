/// exp and log on eight Float lanes at once (Cephes' single-precision polynomials), so the
/// CPU backend's per-weight passes vectorize: a scalar `expf` call per lane blocks that and
/// made the optimizer half of a LeNet-300 step. Accuracy: within 2 ulp of the correctly
/// rounded result over the ranges used here (tests compare against Double).
enum VectorMath {
    typealias Vector = SIMD8<Float>

    /// eˣ for x in [−87, 88] (clamped beyond).
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let low = Vector(repeating: -87.3), high = Vector(repeating: 88.3)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // x = n·ln 2 + r, |r| ≤ ½ln 2, with ln 2 split in two so r is exact. Adding 1.5·2²³
        // rounds to an integer and leaves it in the low bits: no generic Float→Int conversion.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.44269504088896341 + magic
        let n = shifted - magic
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(SIMD8<Float>(repeating: magic), to: SIMD8<Int32>.self)
        var r = clamped - n * 0.693359375
        r = r - n * -2.12194440e-4
        let r2 = r * r
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r2 + r + 1
        // 2ⁿ from its bit pattern.
        let exponent = (integer &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    /// ln x for positive, normal x.
    @inline(__always)
    static func log(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // x = m·2ᵉ with m in [½, 1).
        // The exponent field as a Float, through the same magic-number trick in reverse.
        let magic: Float = 12_582_912
        let field = ((bits &>> 23) & 0xFF) &+ unsafeBitCast(SIMD8<Float>(repeating: magic), to: SIMD8<Int32>.self)
        var e = unsafeBitCast(field, to: Vector.self) - (magic + 126)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: Vector.self)
        let small = m .< 0.707106781186547524
        e = e.replacing(with: e - 1, where: small)
        m = m.replacing(with: m + m - 1, where: small).replacing(with: m - 1, where: .!small)
        let z = m * m
        var y = Vector(repeating: 7.0376836292e-2)
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y = y + e * -2.12194440e-4
        y = y - 0.5 * z
        return m + y + e * 0.693359375
    }
}
