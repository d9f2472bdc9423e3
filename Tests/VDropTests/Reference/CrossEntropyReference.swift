import Foundation

/// Softmax cross-entropy over rows of logits [B, K] in Double precision.
enum CrossEntropyReference {
    /// loss_b = log Σ_k exp(z_k) − z_y (computed around the row max); correct_b = 1 if the first maximal z_k is at y.
    static func forward(_ logits: [Double], labels: [Int], classes: Int) -> (loss: [Double], correct: [Double]) {
        var loss: [Double] = [], correct: [Double] = []
        for (b, label) in labels.enumerated() {
            let row = Array(logits[(b * classes)..<((b + 1) * classes)])
            let m = row.max()!
            loss.append(log(row.reduce(0) { $0 + exp($1 - m) }) + m - row[label])
            correct.append(row.firstIndex(of: m) == label ? 1 : 0)
        }
        return (loss, correct)
    }

    /// ∂(scale·Σ_b loss_b)/∂z_b,k = scale·(softmax(z_b)_k − [k = y_b]).
    static func backward(_ logits: [Double], labels: [Int], classes: Int, scale: Double) -> [Double] {
        var grad: [Double] = []
        for (b, label) in labels.enumerated() {
            let row = Array(logits[(b * classes)..<((b + 1) * classes)])
            let m = row.max()!
            let total = row.reduce(0) { $0 + exp($1 - m) }
            for k in 0..<classes { grad.append(scale * (exp(row[k] - m) / total - (k == label ? 1 : 0))) }
        }
        return grad
    }
}
