import Foundation

/// One axis of a chart: its domain, linear or logarithmic, and the ticks and labels a reader
/// needs. Log axes are for quantities that span decades (compression, kept fractions, the
/// data term); their ticks are the powers of ten, with 2 and 5 between when few decades show.
struct AxisScale: Equatable {
    enum Kind: String { case linear, log }
    var kind: Kind
    var lower: Double
    var upper: Double

    /// Where `value` falls between lower (0) and upper (1); values outside give < 0 or > 1.
    func fraction(_ value: Double) -> Double {
        switch kind {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(Swift.max(value, 1e-300)) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// "linear 0 30", the scale a test needs to turn pixels back into data.
    var descriptor: String { "\(kind.rawValue) \(lower) \(upper)" }

    /// A scale for `values` (non-finite ones ignored): log when asked, or when `automatic` and
    /// every value is positive and the largest is 100 or more times the smallest (two decades). Linear
    /// domains are widened to whole ticks (and to 0 when `includeZero`); log ones to decades.
    static func fitted(_ values: [Double], kind requested: Kind? = nil, includeZero: Bool = false) -> AxisScale {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        let positive = finite.filter { $0 > 0 }
        let kind = requested ?? (low > 0 && high / low >= 100 ? .log : .linear)
        if kind == .log {
            low = positive.min() ?? 1
            high = Swift.max(positive.max() ?? 10, low)
            let lowerExponent = (log10(low) + 1e-9).rounded(.down)
            var upperExponent = (log10(high) - 1e-9).rounded(.up)
            if upperExponent <= lowerExponent { upperExponent = lowerExponent + 1 }
            return AxisScale(kind: .log, lower: pow(10, lowerExponent), upper: pow(10, upperExponent))
        }
        if includeZero { low = Swift.min(low, 0); high = Swift.max(high, 0) }
        if high - low < 1e-12 * Swift.max(abs(high), 1) {
            let pad = abs(high) > 0 ? abs(high) * 0.1 : 1
            low -= pad
            high += pad
        }
        let step = niceStep((high - low) / 5)
        return AxisScale(kind: .linear, lower: (low / step + 1e-9).rounded(.down) * step, upper: (high / step - 1e-9).rounded(.up) * step)
    }

    /// 1, 2 or 5 times a power of ten, the nearest at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, log10(raw).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * power >= raw * (1 - 1e-9) { return multiple * power }
        return 10 * power
    }

    var linearStep: Double { Self.niceStep((upper - lower) / 5) }

    /// The tick values inside the domain.
    var ticks: [Double] {
        switch kind {
        case .linear:
            let step = linearStep
            let first = (lower / step - 1e-9).rounded(.up)
            return stride(from: first, through: (upper / step + 1e-9).rounded(.down), by: 1).map { $0 * step }
        case .log:
            let decades = log10(upper) - log10(lower)
            let multiples: [Double] = decades <= 2.01 ? [1, 2, 5] : [1]
            var ticks: [Double] = []
            for exponent in stride(from: log10(lower).rounded(.down), through: log10(upper).rounded(.up), by: 1) {
                for m in multiples {
                    let value = m * pow(10, exponent)
                    if value >= lower * (1 - 1e-9) && value <= upper * (1 + 1e-9) { ticks.append(value) }
                }
            }
            return ticks
        }
    }

    /// A tick's label: plain decimals where they are short, 10ⁿ otherwise.
    func label(_ value: Double) -> String {
        switch kind {
        case .linear:
            let step = linearStep
            let decimals = Swift.max(0, Int(-log10(step).rounded(.down)))
            // A tick at zero computed as −1e-19 would read "-0.0".
            return String(format: "%.\(decimals)f", abs(value) < step * 1e-6 ? 0 : value)
        case .log:
            let exponent = Int(log10(value).rounded(.down))
            if exponent >= -3 && exponent <= 4 {
                return exponent < 0 ? String(format: "%.\(-exponent)f", value) : String(format: "%.0f", value)
            }
            let mantissa = value / pow(10, Double(exponent))
            let power = "10" + Self.superscript(exponent)
            return abs(mantissa - 1) < 1e-6 ? power : String(format: "%.0f×", mantissa) + power
        }
    }

    static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return (n < 0 ? "⁻" : "") + String(String(abs(n)).compactMap { $0.wholeNumberValue.map { digits[$0] } })
    }
}
