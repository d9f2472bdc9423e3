/// Host side of `Kernels/lrt_conv_gemm.cl`: a conv layer's two products sharing one column
/// operand, in one launch.
struct LRTConvGemmKernels {
    let backend: OpenCLBackend

    /// Where the column operand B = col(x) [P × N] comes from.
    enum Columns {
        /// A stored im2col buffer.
        case stored(Tensor)
        /// Read from the NCHW input x of this geometry inside the tile loads.
        case implicit(x: Tensor, geometry: ConvGeometry)
        /// The same from an image stored channel by channel, [C, B, H, W]: the output gradient's
        /// rows g' [O, B·Ho·Wo], which the input gradient convolves.
        case implicitChannelMajor(x: Tensor, geometry: ConvGeometry)

        /// Image b and channel c of an implicit operand start at b·batch + c·channel.
        var imageStrides: (batch: Int, channel: Int) {
            switch self {
            case .stored: return (0, 0)
            case .implicit(_, let g): return (g.inChannels * g.height * g.width, g.height * g.width)
            case .implicitChannelMajor(_, let g): return (g.height * g.width, g.batch * g.height * g.width)
            }
        }
    }

    /// `lrt_conv_gemm`: c1 = a1·op(B) and, when `a2`/`c2` are given, c2 = a2·(op(B)⊙op(B)), with
    /// op(B) = B [P × N] (`transposeB` false: m × N outputs over k = P) or Bᵀ (true: m × P
    /// outputs over k = N). With several slices the sums go to `partial` (2·slices·m·n values,
    /// C1's slices first) instead, for ``OpenCLBackend/splitKReduce``.
    func product(a1: Tensor, a2: Tensor?, columns: Columns, c1: Tensor, c2: Tensor?, partial: Tensor,
                 m: Int, n: Int, k: Int, chunk: Int, slices: Int, configuration: TiledGemmConfiguration, transposeB: Bool,
                 kernelSize: Int, label: @autoclosure () -> String) throws {
        let group = configuration.group
        let stored: Tensor, x: Tensor, g: ConvGeometry?
        switch columns {
        case .stored(let buffer): (stored, x, g) = (buffer, buffer, nil)
        case .implicit(let input, let geometry), .implicitChannelMajor(let input, let geometry): (stored, x, g) = (input, input, geometry)
        }
        let strides = columns.imageStrides
        let options = "-DTM=\(configuration.tileM) -DTN=\(configuration.tileN) -DTK=\(configuration.tileK) "
            + "-DWM=\(configuration.itemM) -DWN=\(configuration.itemN) -DTRANS_B=\(transposeB ? 1 : 0) "
            + "-DIMPLICIT=\(g == nil ? 0 : 1) -DDUAL=\(a2 == nil ? 0 : 1) -DKSIZE=\(kernelSize)"
        try backend.launch("lrt_conv_gemm", in: "lrt_conv_gemm.cl", options: options,
                           global: [(n + configuration.tileN - 1) / configuration.tileN * group.x,
                                    (m + configuration.tileM - 1) / configuration.tileM * group.y, slices],
                           local: [group.x, group.y, 1], label: label(),
                           a1, a2 ?? a1, stored, x, c1, c2 ?? c1, partial, Int32(m), Int32(n), Int32(k), Int32(chunk),
                           Int32(g?.inChannels ?? 0), Int32(g?.height ?? 0), Int32(g?.width ?? 0), Int32(g?.padding ?? 0),
                           Int32(g?.outWidth ?? 1), Int32(g?.outPlane ?? 1), Int32(strides.batch), Int32(strides.channel))
    }
}

extension OpenCLBackend {
    var lrtConvGemmKernels: LRTConvGemmKernels { LRTConvGemmKernels(backend: self) }
}
