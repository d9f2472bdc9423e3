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
    /// Measured on the CPU backend with LeNet-300 and LeNet-5 shapes (`vdrop bench --inference`):
    /// the sparse path does work ∝ the non-zeros but each costs a gathered load, where a GEMM
    /// streams; it wins by 10× and more at 2% density and breaks even near 30%.
    public static let sparseDensityLimit = 0.2

    /// Sparse when at most ``sparseDensityLimit`` of the weights are non-zero, else dense.
    public static func automatic(for model: InferenceModel) -> InferencePath {
        let counts = model.weightCounts
        guard counts.total > 0 else { return .dense }
        return Double(counts.nonZero) / Double(counts.total) <= sparseDensityLimit ? .sparse : .dense
    }
}
