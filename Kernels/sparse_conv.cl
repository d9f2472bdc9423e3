// A stride-1, zero-padded convolution whose filters are stored in CSR, for inference: row o
// holds output channel o's non-zero taps, column c = (ci·k + dy)·k + dx (PyTorch's [out, in, k, k]
// flattened). Each tap is applied straight to the input: no im2col, work ∝ the non-zeros.

// sparse_conv_forward: y[b, o, oy, ox] = act(bias[o] + Σ_{taps (ci, dy, dx, w) of o}
// w·x[b, ci, oy + dy − p, ox + dx − p]), taps outside the input reading 0;
// act = max(·, 0) when relu. One work item per output value (NCHW); unpadded layers read
// each tap through its precomputed offset (CSRTensors.tapOffsets), with no decoding or bounds test.
__kernel void sparse_conv_forward(__global const int *row_starts, int row_starts_offset,
                                  __global const int *columns, int columns_offset,
                                  __global const int *tap_offsets, int tap_offsets_offset,
                                  __global const float *values, int values_offset,
                                  __global const float *bias, int bias_offset,
                                  __global const float *x, int x_offset,
                                  __global float *y, int y_offset,
                                  int batch, int in_channels, int height, int width, int out_channels,
                                  int kernel_size, int padding, int out_height, int out_width, int relu) {
    int i = get_global_id(0);
    if (i >= batch * out_channels * out_height * out_width) return;
    int ox = i % out_width, t = i / out_width;
    int oy = t % out_height; t /= out_height;
    int o = t % out_channels, b = t / out_channels;
    float sum = bias[bias_offset + o];
    int start = row_starts[row_starts_offset + o], end = row_starts[row_starts_offset + o + 1];
    __global const float *image = x + x_offset + b * in_channels * height * width;
    if (padding == 0) {
        // Every tap lands inside: tap_offsets[j] = ci·H·W + dy·W + dx from the window's top-left.
        __global const float *window = image + oy * width + ox;
        for (int j = start; j < end; ++j) sum += values[values_offset + j] * window[tap_offsets[tap_offsets_offset + j]];
    } else {
        int taps = kernel_size * kernel_size;
        for (int j = start; j < end; ++j) {
            int c = columns[columns_offset + j];
            int ci = c / taps, r = c - ci * taps;
            int dy = r / kernel_size, dx = r - dy * kernel_size;
            int iy = oy + dy - padding, ix = ox + dx - padding;
            if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                sum += values[values_offset + j] * image[(ci * height + iy) * width + ix];
            }
        }
    }
    y[y_offset + i] = relu ? fmax(sum, 0.0f) : sum;
}
