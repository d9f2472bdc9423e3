/// Which products run an ``InferenceModel``'s dense and conv stages.
public enum InferencePath: String, CaseIterable, Codable, Sendable {
    /// Every weight, zeros included: GEMMs (the training layers' deterministic forward passes).
    /// A compact network runs here too: it has no zeros left to skip.
    case dense
    /// Only the non-zero weights: CSR × dense products for dense layers and sparse-filter
    /// convolutions (``InferenceOperations``).
    case sparse

    /// The largest fraction of non-zero weights at which `auto` picks the sparse path.
    ///
    /// Measured on the CPU backend (2 cores, batch 100) with the LeNet-300 checkpoint trimmed at
    /// several thresholds (`vdrop infer --path dense|sparse --trim mu:T`): sparse/dense images/s
    /// was 0.41× with every weight kept, 1.7× at 9.3% non-zero, 2.5× at 4.7%, 3.7× at 2.8%; the
    /// sparse time grows linearly with the non-zeros, so the two meet near 16%.
    public static let sparseDensityLimit = 0.15

    /// Sparse when at most ``sparseDensityLimit`` of the weights are non-zero, else dense.
    public static func automatic(for model: InferenceModel) -> InferencePath {
        let counts = model.weightCounts
        guard counts.total > 0 else { return .dense }
        return Double(counts.nonZero) / Double(counts.total) <= sparseDensityLimit ? .sparse : .dense
    }
}
