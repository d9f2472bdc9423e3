/// 2×2 stride-2 max-pooling over NCHW planes in Double precision (odd sizes floor).
enum MaxPoolReference {
    /// out[p, oy, ox] = max of the window at (2oy, 2ox); argmax = dy·2 + dx of its first maximum.
    static func forward(_ x: [Double], planes: Int, height: Int, width: Int) -> (output: [Double], argmax: [Int]) {
        let oh = height / 2, ow = width / 2
        var output = [Double](repeating: 0, count: planes * oh * ow), argmax = [Int](repeating: 0, count: planes * oh * ow)
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let o = (p * oh + oy) * ow + ox
                    output[o] = -.infinity
                    for position in 0..<4 {
                        let v = x[(p * height + 2 * oy + position / 2) * width + 2 * ox + position % 2]
                        if v > output[o] { output[o] = v; argmax[o] = position }
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// dx at each window's argmax = g of that window; 0 elsewhere.
    static func backward(gradOutput: [Double], argmax: [Int], planes: Int, height: Int, width: Int) -> [Double] {
        let oh = height / 2, ow = width / 2
        var gradInput = [Double](repeating: 0, count: planes * height * width)
        for p in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let o = (p * oh + oy) * ow + ox
                    gradInput[(p * height + 2 * oy + argmax[o] / 2) * width + 2 * ox + argmax[o] % 2] = gradOutput[o]
                }
            }
        }
        return gradInput
    }
}
