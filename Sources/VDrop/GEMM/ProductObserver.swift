/// A tool's window on the matrix products a backend computes, so the tools (the tuner, `vdrop
/// check`) watch any backend through this interface instead of reaching into a backend's class.
///
/// Set ``BackendCore/productObserver`` to one; the backend then calls it for every product:
/// ``willCompute(_:)`` first; when ``wantsOperands``, ``computed(_:)`` after, with the
/// operands downloaded (slow: verification only); when ``adjustsResults``, ``adjust(_:)`` on
/// each result before it is used.
public protocol ProductObserver: AnyObject {
    /// Whether ``computed(_:)`` should receive each product's operands.
    var wantsOperands: Bool { get }
    /// Whether ``adjust(_:)`` changes the results.
    var adjustsResults: Bool { get }
    /// Called before each product.
    func willCompute(_ shape: GemmShape)
    /// Called after each product when ``wantsOperands``.
    func computed(_ product: ObservedProduct) throws
    /// Changes a product's result (row-major C, m·n values) when ``adjustsResults``.
    func adjust(_ result: UnsafeMutableBufferPointer<Float>)
}

extension ProductObserver {
    public var wantsOperands: Bool { false }
    public var adjustsResults: Bool { false }
    public func willCompute(_ shape: GemmShape) {}
    public func computed(_ product: ObservedProduct) throws {}
    public func adjust(_ result: UnsafeMutableBufferPointer<Float>) {}
}

/// One product C = α·op(A)·op(B) + β·C as a backend computed it, its operands on the host.
public struct ObservedProduct {
    public let shape: GemmShape
    /// The engine that computed it; nil on the CPU backend (OpenBLAS).
    public let route: GemmRoute?
    public let alpha: Float
    public let a: [Float]
    public let b: [Float]
    public let beta: Float
    /// C before the product, or nil when β = 0 (C was not read).
    public let before: [Float]?
    /// C after it.
    public let after: [Float]
}

extension BackendCore {
    /// Calls `compute` (the product itself) between the observer's calls: operands downloaded
    /// before and after when it wants them, the result adjusted when it asks to. Both backends
    /// route every product through here.
    func observed(_ shape: GemmShape, route: GemmRoute?, alpha: Float, a: Tensor, b: Tensor, beta: Float, c: Tensor,
                  compute: () throws -> Void) throws {
        guard let observer = productObserver else { return try compute() }
        observer.willCompute(shape)
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let result = c.slice(from: 0, shape: [m * n])
        let before = observer.wantsOperands && beta != 0 ? try download(result) : nil
        try compute()
        if observer.adjustsResults {
            var values = try download(result)
            values.withUnsafeMutableBufferPointer { observer.adjust($0) }
            try upload(values, to: result)
        }
        if observer.wantsOperands {
            try observer.computed(ObservedProduct(shape: shape, route: route, alpha: alpha,
                                                  a: try download(a.slice(from: 0, shape: [m * k])),
                                                  b: try download(b.slice(from: 0, shape: [k * n])),
                                                  beta: beta, before: before, after: try download(result)))
        }
    }
}
