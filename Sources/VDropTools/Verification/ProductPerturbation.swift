import VDrop

/// Changes every product's result by a relative amount, up or down by a fixed pattern over its
/// elements: a stand-in for the rounding of another summation order. ``BackendAgreement`` sets
/// ±2⁻²⁰ on the reference backend to measure how far such changes move a model's results. A
/// uniform scale would not do: BatchNorm divides it out.
public final class ProductPerturbation: ProductObserver {
    public let relative: Float
    public init(relative: Float) { self.relative = relative }

    public var adjustsResults: Bool { true }

    /// c[i] ·= 1 ± relative, the sign from a multiplicative hash of i.
    public func adjust(_ result: UnsafeMutableBufferPointer<Float>) {
        let up = 1 + relative, down = 1 - relative
        for i in result.indices { result[i] *= (UInt32(truncatingIfNeeded: i) &* 2_654_435_761) & 0x8000 == 0 ? up : down }
    }
}
