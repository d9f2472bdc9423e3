/// Central differences of a scalar function of many variables, the check every
/// backward pass of a Double reference must pass.
enum FiniteDifference {
    /// ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h with h = 1e-3·max(1, |x_i|).
    static func gradient(at x: [Double], of f: ([Double]) -> Double) -> [Double] {
        var point = x
        return x.indices.map { i in
            let h = 1e-3 * max(1, abs(x[i]))
            point[i] = x[i] + h
            let up = f(point)
            point[i] = x[i] - h
            let down = f(point)
            point[i] = x[i]
            return (up - down) / (2 * h)
        }
    }
}

/// Σ w_i·y_i: a scalar loss whose gradient with respect to y is w, so a backward
/// pass given gradOutput = w must return the gradient of this loss.
func weightedSum(_ w: [Double], _ y: [Double]) -> Double {
    zip(w, y).reduce(0) { $0 + $1.0 * $1.1 }
}
