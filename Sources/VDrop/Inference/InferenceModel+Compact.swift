extension InferenceModel {
    /// What ``compaction()`` removed, per weight layer.
    public struct CompactionSummary: Equatable, Sendable {
        public struct Layer: Equatable, Sendable {
            public var name: String
            /// Neurons (dense) or channels (conv) before and after.
            public var unitsBefore: Int
            public var unitsAfter: Int
            /// Removed because no kept weight of the next layer reads them.
            public var unread: Int
            /// Removed because their incoming weights are all 0, so they output a constant,
            /// which was folded into the next layer's bias.
            public var constant: Int
        }

        /// The values the first stage reads, before and after (the sample's size when the
        /// first stage is not dense: a convolution needs its whole image).
        public var inputsBefore: Int
        public var inputsAfter: Int
        public var layers: [Layer]
    }

    /// The smaller dense network that computes the same logits (up to float rounding).
    public func compacted() -> InferenceModel { compaction().model }

    /// Structured shrinking, repeated until nothing changes:
    /// - a hidden neuron or channel that no kept weight of the next layer reads is removed;
    /// - one whose incoming weights are all 0 outputs a constant c (its bias through ReLU,
    ///   BatchNorm and max-pool, which keep a constant constant); it is removed and c × the
    ///   next layer's weights on it is added to that layer's bias. That is exact when the next
    ///   layer is dense or an unpadded convolution; a padded convolution reads zeros instead of
    ///   c at the borders, so such a channel stays unless c is exactly 0;
    /// - an input no kept weight of the first (dense) layer reads is dropped, and
    ///   `inputSelection` lists the ones that remain;
    /// - the class outputs are never removed.
    /// Removing one unit can leave another unread or constant, hence the repetition.
    public func compaction() -> (model: InferenceModel, summary: CompactionSummary) {
        var compactor = Compactor(self)
        compactor.run()
        return (compactor.model, compactor.summary)
    }
}

/// The state of one compaction: the model as it shrinks, and the counts of what went.
private struct Compactor {
    var model: InferenceModel
    var summary: InferenceModel.CompactionSummary
    /// The indices in `model.stages` of the dense and conv stages (removals keep them in place).
    let weightStages: [Int]

    init(_ model: InferenceModel) {
        self.model = model
        weightStages = model.stages.indices.filter { Self.units(of: model.stages[$0]) != nil }
        let inputs = model.stageInputShape.reduce(1, *)
        summary = .init(inputsBefore: inputs, inputsAfter: inputs, layers: weightStages.map { index in
            let units = Self.units(of: model.stages[index]) ?? 0
            return .init(name: Self.name(of: model.stages[index]), unitsBefore: units, unitsAfter: units, unread: 0, constant: 0)
        })
    }

    mutating func run() {
        var changed = true
        while changed {
            changed = dropUnreadInputs()
            for block in weightStages.indices.dropLast() {
                if shrink(block) { changed = true }
            }
        }
        for (i, index) in weightStages.enumerated() { summary.layers[i].unitsAfter = Self.units(of: model.stages[index]) ?? 0 }
        summary.inputsAfter = model.stageInputShape.reduce(1, *)
    }

    // MARK: The first layer's inputs

    /// Drops the columns of a first dense layer that hold only zeros; true when any went.
    private mutating func dropUnreadInputs() -> Bool {
        guard weightStages.first == 0, case .dense(var dense) = model.stages[0] else { return false }
        let read = (0..<dense.inputs).map { column in (0..<dense.outputs).contains { dense.weight[$0 * dense.inputs + column] != 0 } }
        guard read.contains(false) else { return false }
        let positions = model.inputSelection ?? Array(0..<dense.inputs)
        model.inputSelection = positions.indices.filter { read[$0] }.map { positions[$0] }
        dense.weight = Self.keepColumns(dense.weight, rows: dense.outputs, columns: dense.inputs, keep: read)
        dense.inputs = read.filter { $0 }.count
        model.stages[0] = .dense(dense)
        return true
    }

    // MARK: One block: a weight layer, the per-channel stages after it, and the next weight layer

    /// Removes the units of block `block` that are unread or constant (see ``InferenceModel/compaction()``);
    /// true when any went.
    private mutating func shrink(_ block: Int) -> Bool {
        let index = weightStages[block], next = weightStages[block + 1]
        guard let units = Self.units(of: model.stages[index]) else { return false }
        var keep = [Bool](repeating: true, count: units)
        var constants = [Float](repeating: 0, count: units)
        for unit in 0..<units {
            if !isRead(unit, of: block) {
                keep[unit] = false
                summary.layers[block].unread += 1
            } else if incomingIsZero(unit, at: index) {
                let constant = outputConstant(unit, of: block)
                let foldable: Bool
                switch model.stages[next] {
                case .conv(let c): foldable = c.padding == 0 || constant == 0
                default: foldable = true
                }
                if foldable {
                    keep[unit] = false
                    constants[unit] = constant
                    summary.layers[block].constant += 1
                }
            }
        }
        guard keep.contains(false) else { return false }
        remove(keep: keep, constants: constants, block: block)
        return true
    }

    /// Whether any weight of the next layer reads `unit` (one neuron, or one channel's plane).
    private func isRead(_ unit: Int, of block: Int) -> Bool {
        let units = Self.units(of: model.stages[weightStages[block]]) ?? 0
        switch model.stages[weightStages[block + 1]] {
        case .dense(let d):
            let plane = d.inputs / max(units, 1)
            return (0..<d.outputs).contains { o in
                d.weight[(o * d.inputs + unit * plane)..<(o * d.inputs + (unit + 1) * plane)].contains { $0 != 0 }
            }
        case .conv(let c):
            let taps = c.kernelSize * c.kernelSize
            return (0..<c.outChannels).contains { o in
                let start = (o * c.inChannels + unit) * taps
                return c.weight[start..<(start + taps)].contains { $0 != 0 }
            }
        default: return true
        }
    }

    private func incomingIsZero(_ unit: Int, at index: Int) -> Bool {
        switch model.stages[index] {
        case .dense(let d): return d.weight[(unit * d.inputs)..<((unit + 1) * d.inputs)].allSatisfy { $0 == 0 }
        case .conv(let c): return c.weight[(unit * c.patchSize)..<((unit + 1) * c.patchSize)].allSatisfy { $0 == 0 }
        default: return false
        }
    }

    /// The value a unit with no incoming weight hands the next layer: its bias through the
    /// stages between, computed as the reference forward computes them.
    private func outputConstant(_ unit: Int, of block: Int) -> Float {
        var value: Float
        switch model.stages[weightStages[block]] {
        case .dense(let d): value = d.bias[unit]
        case .conv(let c): value = c.bias[unit]
        default: return 0
        }
        for stage in model.stages[(weightStages[block] + 1)..<weightStages[block + 1]] {
            switch stage {
            case .relu: value = max(value, 0)
            case .batchNorm(let b):
                let normalized = (Double(value) - Double(b.mean[unit])) / (Double(b.variance[unit]) + Double(b.epsilon)).squareRoot()
                value = Float(normalized * Double(b.gamma[unit]) + Double(b.beta[unit]))
            default: break  // a max-pool of a constant plane is that constant
            }
        }
        return value
    }

    /// Drops the units `keep` marks false from block `block`'s layer, from the BatchNorm stages
    /// after it and from the next layer's inputs, adding constant × the next layer's weights on
    /// each to that layer's bias first.
    private mutating func remove(keep: [Bool], constants: [Float], block: Int) {
        let index = weightStages[block], next = weightStages[block + 1]
        let units = keep.count, kept = keep.filter { $0 }.count
        func select<T>(_ values: [T]) -> [T] { values.indices.filter { keep[$0] }.map { values[$0] } }
        switch model.stages[index] {
        case .dense(var d):
            d.weight = Self.keepRows(d.weight, rowSize: d.inputs, keep: keep)
            d.bias = select(d.bias)
            d.outputs = kept
            model.stages[index] = .dense(d)
        case .conv(var c):
            c.weight = Self.keepRows(c.weight, rowSize: c.patchSize, keep: keep)
            c.bias = select(c.bias)
            c.outChannels = kept
            model.stages[index] = .conv(c)
        default: break
        }
        for between in (index + 1)..<next {
            guard case .batchNorm(var b) = model.stages[between] else { continue }
            (b.gamma, b.beta, b.mean, b.variance) = (select(b.gamma), select(b.beta), select(b.mean), select(b.variance))
            model.stages[between] = .batchNorm(b)
        }
        switch model.stages[next] {
        case .dense(var d):
            let plane = d.inputs / max(units, 1)
            for o in 0..<d.outputs {
                var bias = Double(d.bias[o])
                for unit in 0..<units where !keep[unit] && constants[unit] != 0 {
                    for p in 0..<plane { bias += Double(d.weight[o * d.inputs + unit * plane + p]) * Double(constants[unit]) }
                }
                d.bias[o] = Float(bias)
            }
            let columns = (0..<d.inputs).map { keep[$0 / plane] }
            d.weight = Self.keepColumns(d.weight, rows: d.outputs, columns: d.inputs, keep: columns)
            d.inputs = kept * plane
            model.stages[next] = .dense(d)
        case .conv(var c):
            let taps = c.kernelSize * c.kernelSize
            for o in 0..<c.outChannels {
                var bias = Double(c.bias[o])
                for unit in 0..<units where !keep[unit] && constants[unit] != 0 {
                    let start = (o * c.inChannels + unit) * taps
                    for t in start..<(start + taps) { bias += Double(c.weight[t]) * Double(constants[unit]) }
                }
                c.bias[o] = Float(bias)
            }
            // [out, in, k, k] seen as rows of k·k taps, one per (out, in) pair.
            let slices = (0..<(c.outChannels * c.inChannels)).map { keep[$0 % c.inChannels] }
            c.weight = Self.keepRows(c.weight, rowSize: taps, keep: slices)
            c.inChannels = kept
            model.stages[next] = .conv(c)
        default: break
        }
    }

    // MARK: Helpers

    static func units(of stage: InferenceModel.Stage) -> Int? {
        switch stage {
        case .dense(let d): return d.outputs
        case .conv(let c): return c.outChannels
        default: return nil
        }
    }

    static func name(of stage: InferenceModel.Stage) -> String {
        switch stage {
        case .dense(let d): return d.name
        case .conv(let c): return c.name
        default: return ""
        }
    }

    /// The rows (each `rowSize` values) of a row-major matrix that `keep` marks.
    static func keepRows(_ values: [Float], rowSize: Int, keep: [Bool]) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(keep.filter { $0 }.count * rowSize)
        for (row, kept) in keep.enumerated() where kept { result += values[(row * rowSize)..<((row + 1) * rowSize)] }
        return result
    }

    /// The columns of a row-major rows × columns matrix that `keep` marks.
    static func keepColumns(_ values: [Float], rows: Int, columns: Int, keep: [Bool]) -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(rows * keep.filter { $0 }.count)
        for row in 0..<rows {
            for column in 0..<columns where keep[column] { result.append(values[row * columns + column]) }
        }
        return result
    }
}
