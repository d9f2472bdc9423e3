/// ReLU in Double precision: the oracle of the backends' `reluForward`/`reluBackward`.
enum ReLUReference {
    /// y = max(x, 0).
    static func forward(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }

    /// dx = g where y > 0, else 0.
    static func backward(output: [Double], gradOutput: [Double]) -> [Double] {
        zip(output, gradOutput).map { $0 > 0 ? $1 : 0 }
    }
}
