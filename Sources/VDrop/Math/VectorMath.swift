#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// exp, log, sin and cos on eight Float lanes at once (Cephes' single-precision polynomials), so
/// the CPU backend's per-weight passes and the host's Box–Muller normals vectorize: a scalar
/// `expf` call per lane blocks that and made the optimizer half of a LeNet-300 step, and scalar
/// `logf`, `sinf`, `cosf` made the noise a quarter of a LeNet-5 step. Accuracy: within 2 ulp of
/// the correctly rounded result over the ranges used here (tests compare against Double).
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

    /// sin x and cos x for x in [0, 8192] (the range where three-part π/4 reduction is exact).
    @inline(__always)
    static func sinCos(_ x: Vector) -> (sin: Vector, cos: Vector) {
        // Octant j = ⌊x·4/π⌋ rounded up to even, so x − j·π/4 lies in [−π/4, π/4]. Rounding with the
        // magic number goes to nearest; one step down where it went up gives the floor.
        let magic: Float = 12_582_912
        let magicBits = unsafeBitCast(SIMD8<Float>(repeating: magic), to: SIMD8<Int32>.self)
        let scaled = x * 1.27323954473516
        var octant = (scaled + magic) - magic
        octant = octant.replacing(with: octant - 1, where: octant .> scaled)
        var j = unsafeBitCast(octant + magic, to: SIMD8<Int32>.self) &- magicBits
        j = j &+ (j & 1)
        let y = unsafeBitCast(j &+ magicBits, to: Vector.self) - magic
        // π/4 in three parts whose products with small integers are exact.
        let r = ((x - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8
        let z = r * r
        var sinPolynomial = Vector(repeating: -1.9515295891e-4)
        sinPolynomial = sinPolynomial * z + 8.3321608736e-3
        sinPolynomial = sinPolynomial * z - 1.6666654611e-1
        sinPolynomial = sinPolynomial * z * r + r
        var cosPolynomial = Vector(repeating: 2.443315711809948e-5)
        cosPolynomial = cosPolynomial * z - 1.388731625493765e-3
        cosPolynomial = cosPolynomial * z + 4.166664568298827e-2
        cosPolynomial = cosPolynomial * z * z - 0.5 * z + 1
        // Octants 2 and 6 swap the polynomials; 4 and 6 negate sin; 2 and 4 negate cos. Masks and
        // signs as bit patterns: a comparison of integer vectors is compiled lane by lane.
        let swap = (j &<< 30) &>> 31
        let sinSign = (j & 4) &<< 29
        let cosSign = ((j & 4) ^ ((j & 2) &<< 1)) &<< 29
        let sinBits = unsafeBitCast(sinPolynomial, to: SIMD8<Int32>.self), cosBits = unsafeBitCast(cosPolynomial, to: SIMD8<Int32>.self)
        let sine = (sinBits & ~swap) | (cosBits & swap), cosine = (cosBits & ~swap) | (sinBits & swap)
        return (unsafeBitCast(sine ^ sinSign, to: Vector.self), unsafeBitCast(cosine ^ cosSign, to: Vector.self))
    }

    /// Eight Floats from `pointer`, at any alignment.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    /// Stores eight Floats at `pointer`, at any alignment.
    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// √x, correctly rounded as `Float.squareRoot()`. `SIMD8.squareRoot()` goes lane by lane through
    /// libm's errno check, and the scalar lanes drag the arithmetic that feeds them out of SIMD too.
    @inline(__always)
    static func squareRoot(_ x: Vector) -> Vector {
        #if arch(x86_64)
        return Vector(lowHalf: _mm_sqrt_ps(x.lowHalf), highHalf: _mm_sqrt_ps(x.highHalf))
        #else
        return x.squareRoot()
        #endif
    }
}
