import VDrop

/// Records the shape of every product a backend computes: how ``GemmTuner`` learns the GEMMs a
/// training step issues.
final class ProductShapeRecorder: ProductObserver {
    private(set) var shapes: [GemmShape] = []
    func willCompute(_ shape: GemmShape) { shapes.append(shape) }
}
