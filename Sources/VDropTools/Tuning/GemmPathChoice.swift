import Foundation
import VDrop

/// Which of CLBlast's two SGEMM kernels runs each GEMM of a step, and with which parameters.
///
/// CLBlast sends a product to the direct kernel when m·n·k < `XGEMM_MIN_INDIRECT_SIZE`³, so the
/// only possible assignments are "the smallest products direct, the rest indirect". For every
/// such cut this picks the fastest measured configuration of each kernel for its side and keeps
/// the cut with the least time per step. A nil configuration stands for CLBlast's own.
public struct GemmPathChoice: Equatable, Sendable {
    public var direct: XgemmDirectConfiguration?
    public var indirect: XgemmConfiguration?
    /// The `XGEMM_MIN_INDIRECT_SIZE` that makes the cut.
    public var minIndirectSize: Int
    /// Σ count·seconds over the shapes, as measured.
    public var secondsPerStep: Double

    /// The overrides that make this choice.
    public var parameters: CLBlastParameters {
        CLBlastParameters(xgemm: indirect?.parameters, xgemmDirect: direct?.parameters, minIndirectSize: minIndirectSize)
    }

    /// - Parameters:
    ///   - shapes: the distinct GEMMs of a step, in ascending order of m·n·k.
    ///   - counts: how often each runs per step.
    ///   - direct: seconds per run of each shape (in `shapes` order) on the direct kernel, per
    ///     configuration in the order they were measured; ties go to the earlier one.
    ///   - indirect: the same on the indirect kernel.
    /// - Returns: nil when either list is empty.
    public static func best(shapes: [GemmShape], counts: [Int],
                            direct: [Timed<XgemmDirectConfiguration>],
                            indirect: [Timed<XgemmConfiguration>]) -> GemmPathChoice? {
        precondition(zip(shapes, shapes.dropFirst()).allSatisfy { $0.product <= $1.product }, "shapes must ascend by m·n·k")
        guard !direct.isEmpty, !indirect.isEmpty else { return nil }
        var choice: GemmPathChoice?
        for cut in 0...shapes.count {
            guard let threshold = threshold(directBelow: cut, of: shapes) else { continue }
            let (d, directSeconds) = fastest(direct, over: 0..<cut, counts: counts)
            let (x, indirectSeconds) = fastest(indirect, over: cut..<shapes.count, counts: counts)
            let total = directSeconds + indirectSeconds
            if choice == nil || total < choice!.secondsPerStep {
                choice = GemmPathChoice(direct: cut > 0 ? d : nil, indirect: cut < shapes.count ? x : nil,
                                        minIndirectSize: threshold, secondsPerStep: total)
            }
        }
        return choice
    }

    /// The smallest t with t³ above every product before `cut` and at most every product from
    /// `cut` on, or nil when no integer fits between them.
    public static func threshold(directBelow cut: Int, of shapes: [GemmShape]) -> Int? {
        if cut == 0 { return CLBlastParameters.alwaysIndirect }
        if cut == shapes.count { return CLBlastParameters.alwaysDirect }
        let largestDirect = shapes[cut - 1].product, smallestIndirect = shapes[cut].product
        var t = max(1, Int(cbrt(Double(largestDirect))) - 1)
        while t * t * t <= largestDirect { t += 1 }
        return t * t * t <= smallestIndirect ? t : nil
    }

    /// The configuration with the least Σ count·seconds over `range`; the first of equals.
    private static func fastest<Configuration>(_ list: [Timed<Configuration>], over range: Range<Int>,
                                               counts: [Int]) -> (Configuration?, Double) {
        func cost(_ timed: Timed<Configuration>) -> Double {
            range.reduce(0) { $0 + Double(counts[$1]) * timed.seconds[$1] }
        }
        var best = (list[0].configuration, cost(list[0]))
        for timed in list.dropFirst() {
            let seconds = cost(timed)
            if seconds < best.1 { best = (timed.configuration, seconds) }
        }
        return best
    }
}

/// One configuration of a kernel (nil: CLBlast's own) and its measured seconds per shape.
public struct Timed<Configuration: Sendable>: Sendable {
    public var configuration: Configuration?
    public var seconds: [Double]

    public init(_ configuration: Configuration?, seconds: [Double]) {
        self.configuration = configuration
        self.seconds = seconds
    }
}
