import VDrop

/// One operation at one of the models' shapes, timed on two backends.
public struct OperationMeasurement: Codable, Equatable, Sendable {
    public var operation: String
    public var shape: String
    /// Median milliseconds per call on the CPU backend and on the device.
    public var cpuMs: Double
    public var deviceMs: Double?
    /// Arithmetic rate (GEMM-bound operations) or memory rate (elementwise ones) on the device and CPU.
    public var deviceRate: Double?
    public var cpuRate: Double
    /// "GFLOP/s" or "GB/s".
    public var rateUnit: String
    /// cpuMs / deviceMs: how many times faster the device is.
    public var speedup: Double?
}

/// The operations of a training step at the shapes the three models use.
public enum OperationBenchmark {
    struct Case {
        let operation: String
        let shape: String
        /// Floating-point operations per call, or nil for memory-bound ones.
        let flops: Double?
        /// Bytes read and written per call.
        let bytes: Double
        /// Allocates inputs on a backend and returns the call to time.
        let prepare: (any Backend) throws -> () throws -> Void
    }

    static func random(_ backend: any Backend, _ shape: [Int], seed: UInt64, scale: Float = 1) throws -> Tensor {
        let key = NoiseKey(seed: seed, step: 0, stream: 0xBE7C)
        let count = shape.reduce(1, *)
        return try backend.tensor((0..<count).map { (Philox.uniform(key.word($0)) * 2 - 1) * scale }, shape: shape)
    }

    static func denseCases(batch: Int, _ io: [(Int, Int)]) -> [Case] {
        io.flatMap { (inputs, outputs) -> [Case] in
            let shape = "\(batch)×\(inputs)→\(outputs)"
            let gemm = 2.0 * Double(batch * inputs * outputs)
            let bytes = 4.0 * Double(2 * batch * inputs + 3 * inputs * outputs + 4 * batch * outputs)
            func setup(_ b: any Backend) throws -> (Tensor, LRTWeights, LRTGradients, DenseWorkspace, Tensor, Tensor) {
                let weights = LRTWeights(theta: try random(b, [outputs, inputs], seed: 1, scale: 0.05),
                                         variance: try random(b, [outputs, inputs], seed: 2, scale: 1e-4),
                                         bias: try random(b, [outputs], seed: 3))
                let gradients = LRTGradients(theta: try b.allocate([outputs, inputs]), variance: try b.allocate([outputs, inputs]),
                                             bias: try b.allocate([outputs]))
                return (try random(b, [batch, inputs], seed: 4), weights, gradients,
                        try DenseWorkspace(backend: b, batch: batch, inputs: inputs, outputs: outputs),
                        try b.allocate([batch, outputs]), try b.allocate([batch, inputs]))
            }
            return [
                Case(operation: "dense forward (lrt)", shape: shape, flops: 2 * gemm, bytes: bytes) { b in
                    let (x, w, _, ws, out, _) = try setup(b)
                    return { try b.denseForward(input: x, weights: w, noise: .lrt, key: NoiseKey(seed: 1, step: 0, stream: 0), output: out, workspace: ws) }
                },
                Case(operation: "dense backward (lrt)", shape: shape, flops: 4 * gemm, bytes: bytes * 1.5) { b in
                    let (x, w, g, ws, out, gx) = try setup(b)
                    try b.denseForward(input: x, weights: w, noise: .lrt, key: NoiseKey(seed: 1, step: 0, stream: 0), output: out, workspace: ws)
                    return { try b.denseBackward(input: x, weights: w, noise: .lrt, gradOutput: out, workspace: ws, gradients: g, gradInput: gx) }
                },
            ]
        }
    }

    static func convCases(batch: Int, _ layers: [(c: Int, o: Int, size: Int, k: Int, pad: Int)]) -> [Case] {
        layers.flatMap { l -> [Case] in
            let g = ConvGeometry(batch: batch, inChannels: l.c, height: l.size, width: l.size, outChannels: l.o, kernelSize: l.k, padding: l.pad)
            let shape = "\(batch)×\(l.c)×\(l.size)²→\(l.o)@\(l.k)×\(l.k)"
            let gemm = 2.0 * Double(g.outChannels * g.patchSize * g.batch * g.outPlane)
            let bytes = 4.0 * Double(3 * g.patchSize * g.batch * g.outPlane + 4 * g.outChannels * g.batch * g.outPlane)
            func setup(_ b: any Backend) throws -> (Tensor, LRTWeights, LRTGradients, ConvWorkspace, Tensor, Tensor) {
                let weights = LRTWeights(theta: try random(b, g.weightShape, seed: 1, scale: 0.05),
                                         variance: try random(b, g.weightShape, seed: 2, scale: 1e-4),
                                         bias: try random(b, [g.outChannels], seed: 3))
                let gradients = LRTGradients(theta: try b.allocate(g.weightShape), variance: try b.allocate(g.weightShape),
                                             bias: try b.allocate([g.outChannels]))
                return (try random(b, g.inputShape, seed: 4), weights, gradients, try ConvWorkspace(backend: b, geometry: g),
                        try b.allocate(g.outputShape), try b.allocate(g.inputShape))
            }
            return [
                Case(operation: "conv forward (lrt)", shape: shape, flops: 2 * gemm, bytes: bytes) { b in
                    let (x, w, _, ws, out, _) = try setup(b)
                    return { try b.convForward(input: x, weights: w, geometry: g, noise: .lrt, key: NoiseKey(seed: 1, step: 0, stream: 0), output: out, workspace: ws) }
                },
                Case(operation: "conv backward (lrt)", shape: shape, flops: 4 * gemm, bytes: bytes * 1.5) { b in
                    let (x, w, grads, ws, out, gx) = try setup(b)
                    try b.convForward(input: x, weights: w, geometry: g, noise: .lrt, key: NoiseKey(seed: 1, step: 0, stream: 0), output: out, workspace: ws)
                    return { try b.convBackward(input: x, weights: w, geometry: g, noise: .lrt, gradOutput: out, workspace: ws, gradients: grads, gradInput: gx) }
                },
            ]
        }
    }

    static func elementwiseCases(batch: Int) -> [Case] {
        let image = [batch, 64, 32, 32]
        let count = Double(image.reduce(1, *))
        let pooled = [batch, 64, 16, 16]
        return [
            Case(operation: "relu forward", shape: image.map(String.init).joined(separator: "×"), flops: nil, bytes: 8 * count) { b in
                let x = try random(b, image, seed: 1), y = try b.allocate(image)
                return { try b.reluForward(input: x, output: y) }
            },
            Case(operation: "max-pool forward", shape: image.map(String.init).joined(separator: "×"), flops: nil, bytes: 4 * count * 1.5) { b in
                let x = try random(b, image, seed: 1), y = try b.allocate(pooled), arg = try b.allocate(pooled)
                return { try b.maxPoolForward(input: x, output: y, argmax: arg) }
            },
            Case(operation: "batchnorm forward", shape: image.map(String.init).joined(separator: "×"), flops: nil, bytes: 4 * count * 3) { b in
                let x = try random(b, [batch, 64, 1024], seed: 1), y = try b.allocate([batch, 64, 1024])
                let gamma = try random(b, [64], seed: 2), beta = try random(b, [64], seed: 3)
                let mean = try b.allocate([64]), variance = try b.allocate([64]), saved = try BatchNormSaved(backend: b, channels: 64)
                return { try b.batchNormForward(input: x, gamma: gamma, beta: beta, output: y, runningMean: mean, runningVariance: variance,
                                                saved: saved, training: true, momentum: 0.1, epsilon: 1e-5) }
            },
            Case(operation: "cross-entropy", shape: "\(batch)×10", flops: nil, bytes: 4 * Double(batch) * 23) { b in
                let logits = try random(b, [batch, 10], seed: 1, scale: 3)
                let labels = try b.tensor((0..<batch).map { Float($0 % 10) }, shape: [batch])
                let grad = try b.allocate([batch, 10]), loss = try b.allocate([batch]), correct = try b.allocate([batch])
                return { try b.softmaxCrossEntropy(logits: logits, labels: labels, gradScale: 600, gradLogits: grad, rowLoss: loss, rowCorrect: correct) }
            },
        ]
    }

    static func adamCases() -> [Case] {
        [(ModelKind.lenet5, 430_500, 1_100), (ModelKind.vgglike, 14_977_728, 11_540)].map { (model, w, p) in
            Case(operation: "regularizer + Adam (ard)", shape: "\(model.rawValue) arena 2×\(w)+\(p)", flops: nil,
                 bytes: 4 * Double(2 * w + p) * 7) { b in
                let n = 2 * w + p
                let parameters = try random(b, [n], seed: 1, scale: 0.1), gradients = try random(b, [n], seed: 2)
                let m = try b.allocate([n]), v = try b.allocate([n])
                var t = 0
                return {
                    t += 1
                    try b.adamUpdate(objective: .ard, parameters: parameters, gradients: gradients, firstMoment: m, secondMoment: v,
                                     weightCount: w, settings: AdamSettings(learningRate: 1e-3, step: t, regularizerWeight: 1))
                }
            }
        }
    }

    /// The cases for `models` (every operation they use at their shapes, batch 100).
    static func cases(models: [ModelKind], batch: Int) -> [Case] {
        var cases: [Case] = []
        if models.contains(.lenet300) { cases += denseCases(batch: batch, [(784, 300), (300, 100)]) }
        if models.contains(.lenet5) {
            cases += convCases(batch: batch, [(1, 20, 28, 5, 0), (20, 50, 12, 5, 0)]) + denseCases(batch: batch, [(800, 500)])
        }
        if models.contains(.vgglike) {
            cases += convCases(batch: batch, [(3, 64, 32, 3, 1), (64, 64, 32, 3, 1), (128, 128, 16, 3, 1), (256, 256, 8, 3, 1), (512, 512, 4, 3, 1)])
            cases += elementwiseCases(batch: batch)
        }
        if models.contains(.lenet5) || models.contains(.vgglike) { cases += adamCases() }
        return cases
    }

    /// Times every case on `cpu` and, when given, on `device`: the median of `samples` calls after
    /// `warmup` calls, each call waited for.
    public static func measure(models: [ModelKind], batch: Int = 100, cpu: any Backend, device: (any Backend)?,
                               samples: Int = 20, warmup: Int = 3) throws -> [OperationMeasurement] {
        try cases(models: models, batch: batch).map { c in
            func time(_ backend: any Backend) throws -> Double {
                let call = try c.prepare(backend)
                return Stopwatch.median(try Stopwatch.measure(warmup: warmup, samples: samples) {
                    try call()
                    try backend.synchronize()
                })
            }
            let cpuSeconds = try time(cpu)
            let deviceSeconds = try device.map(time)
            let work = c.flops ?? c.bytes
            let unit = c.flops == nil ? "GB/s" : "GFLOP/s"
            return OperationMeasurement(operation: c.operation, shape: c.shape, cpuMs: cpuSeconds * 1e3, deviceMs: deviceSeconds.map { $0 * 1e3 },
                                        deviceRate: deviceSeconds.map { work / $0 / 1e9 }, cpuRate: work / cpuSeconds / 1e9,
                                        rateUnit: unit, speedup: deviceSeconds.map { cpuSeconds / $0 })
        }
    }
}
