// A stride-1 convolution with local reparameterization, around the CLBlast GEMMs.
// x is NCHW [B, C, H, W]; θ and σ² are [O, C·K·K]; the unfolded input ("columns")
// is [C·K·K, N] with N = B·Ho·Wo, column n = b·Ho·Wo + oy·Wo + ox and row
// p = (c·K + ky)·K + kx; the GEMM results mean and v are [O, N]; out, noise_scale
// and g are NCHW [B, O, Ho, Wo] with Ho = H + 2·pad − K + 1, Wo likewise (out and g
// [B, O, ⌊Ho/2⌋, ⌊Wo/2⌋] after a fused max-pool).
//
// Each tensor comes with a seed stride, as in lrt_dense.cl: a seed batch launches each kernel
// once for all its seeds (seed s reading and writing s strides further, drawing its noise with
// the seed + s), a single network with stride 0 and one seed. Where the seed is a dimension of
// its own, it is the grid's last.
#include "philox.clh"

#include "work_group_sum.clh"

// Output side of a stride-1 convolution: size + 2·padding − kernel_size + 1.
inline int conv_out_size(int size, int kernel_size, int padding) {
    return size + 2 * padding - kernel_size + 1;
}

// lrt_conv_im2col, one work item per (s, b, c) = (output position in the plane, image, input
// channel) of each seed, launched over (plane, batch, channels·seeds) with the first two sizes
// rounded up to the work-group's (dimension 2 is seed·channels + c);
// it writes the channel's K·K patch rows p = c·K·K + ky·K + kx:
//   columns[p, b·plane + s] = x[b, c, oy + ky − pad, ox + kx − pad] (0 outside the image)
//   with_squares: columns_squared[p, n] = columns[p, n]²   (one read of x for both)
// Neighbouring work items take neighbouring positions, so every write of the tap loop is one
// contiguous run. One work item per value instead (patch row as the third dimension) spent
// VGG-like's step 3.3 ms in 26 launches on an H200 that write 2.7 GB: 0.8 TB/s, a fifth of what
// the device can write; the index arithmetic, once per value, was the cost.
__kernel void lrt_conv_im2col(__global const float *x, int x_offset, int x_stride,
                              __global float *columns, int columns_offset, int columns_stride,
                              __global float *columns_squared, int columns_squared_offset, int columns_squared_stride,
                              int batch, int channels, int height, int width,
                              int kernel_size, int padding, int with_squares) {
    int out_height = conv_out_size(height, kernel_size, padding);
    int out_width = conv_out_size(width, kernel_size, padding);
    int plane = out_height * out_width;
    int s = get_global_id(0), b = get_global_id(1);
    int seed_index = get_global_id(2) / channels, c = get_global_id(2) - seed_index * channels;
    if (s >= plane || b >= batch) return;
    x += (long)seed_index * x_stride;
    columns += (long)seed_index * columns_stride;
    columns_squared += (long)seed_index * columns_squared_stride;
    int oy = s / out_width, ox = s - oy * out_width;
    int positions = batch * plane;
    __global const float *image = x + x_offset + (b * channels + c) * height * width;
    int index = c * kernel_size * kernel_size * positions + b * plane + s;
    for (int ky = 0; ky < kernel_size; ky++) {
        int iy = oy + ky - padding;
        bool row_inside = iy >= 0 && iy < height;
        for (int kx = 0; kx < kernel_size; kx++, index += positions) {
            int ix = ox + kx - padding;
            float v = (row_inside && ix >= 0 && ix < width) ? image[iy * width + ix] : 0.0f;
            columns[columns_offset + index] = v;
            if (with_squares) columns_squared[columns_squared_offset + index] = v * v;
        }
    }
}

// The epilogue of NCHW output element i, read from the GEMM results at j = [o, n]:
//   with noise: r = √(v[j] + 1e-8), ε = philox_normal(seed, step, stream, first + i) (first: the global
//               batch's element of this batch's first value, 0 but in a data-parallel rank),
//               returns mean[j] + bias[o] + r·ε and writes noise_scale[i] = ε / (2r)
//   without:    returns mean[j] + bias[o]
// Both epilogue kernels use it, so a pooled layer draws and rounds exactly as an unpooled one.
inline float lrt_conv_epilogue_value(__global const float *mean, __global const float *variance, float bias,
                                     __global float *noise_scale, int i, int j, int with_noise,
                                     uint2 seed, uint2 step, uint stream, uint first) {
    float value = mean[j] + bias;
    if (with_noise) {
        float r = sqrt(variance[j] + 1e-8f);
        float eps = philox_normal(seed, step, stream, first + (uint)i);
        value += r * eps;
        noise_scale[i] = eps / (2.0f * r);
    }
    return value;
}

// lrt_conv_forward_epilogue, one work item per NCHW output index i = (b·O + o)·Ho·Wo + s (and seed),
// reading the GEMM results at [o, n = b·Ho·Wo + s]:
//   out[i] = lrt_conv_epilogue_value(i), with relu (a fused ReLU) max(out[i], 0)
__kernel void lrt_conv_forward_epilogue(__global const float *mean, int mean_offset, int mean_stride,
                                        __global const float *variance, int variance_offset, int variance_stride,
                                        __global const float *bias, int bias_offset, int bias_stride,
                                        __global float *out, int out_offset, int out_stride,
                                        __global float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                                        int batch, int out_channels, int plane, int with_noise, int relu,
                                        uint2 seed, uint2 step, uint stream, uint first) {
    int i = get_global_id(0);
    if (i >= batch * out_channels * plane) return;
    long seed_index = get_global_id(1);
    mean += seed_index * mean_stride;
    variance += seed_index * variance_stride;
    bias += seed_index * bias_stride;
    out += seed_index * out_stride;
    noise_scale += seed_index * noise_scale_stride;
    seed = seed_plus(seed, (uint)seed_index);
    int s = i % plane;
    int o = (i / plane) % out_channels;
    int b = i / (plane * out_channels);
    int j = o * (batch * plane) + b * plane + s;
    float value = lrt_conv_epilogue_value(mean + mean_offset, variance + variance_offset, bias[bias_offset + o],
                                          noise_scale + noise_scale_offset, i, j, with_noise, seed, step, stream, first);
    out[out_offset + i] = relu ? fmax(value, 0.0f) : value;
}

// lrt_conv_forward_epilogue_max_pool, the epilogue with a fused ReLU and 2×2 max-pool; one work
// item per window (wy, wx) of ⌈Ho/2⌉ × ⌈Wo/2⌉ per (b, o) (and seed), so every pre-pool element, also those
// of an odd last row or column that no pooled value covers, gets its noise_scale:
//   a[dy, dx] = max(lrt_conv_epilogue_value(i), 0) for i = (b·O + o)·Ho·Wo + (2wy + dy)·Wo + 2wx + dx
//   whole windows only: out[b, o, wy, wx] = max a, argmax = dy·2 + dx of the first maximum
//   (strictly greater replaces, as max_pool_forward); the pre-pool values are not stored.
__kernel void lrt_conv_forward_epilogue_max_pool(__global const float *mean, int mean_offset, int mean_stride,
                                                 __global const float *variance, int variance_offset, int variance_stride,
                                                 __global const float *bias, int bias_offset, int bias_stride,
                                                 __global float *out, int out_offset, int out_stride,
                                                 __global float *argmax, int argmax_offset, int argmax_stride,
                                                 __global float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                                                 int batch, int out_channels, int out_height, int out_width, int with_noise,
                                                 uint2 seed, uint2 step, uint stream, uint first) {
    int windows_high = (out_height + 1) / 2, windows_wide = (out_width + 1) / 2;
    int w = get_global_id(0);
    if (w >= batch * out_channels * windows_high * windows_wide) return;
    long seed_index = get_global_id(1);
    mean += seed_index * mean_stride;
    variance += seed_index * variance_stride;
    bias += seed_index * bias_stride;
    out += seed_index * out_stride;
    argmax += seed_index * argmax_stride;
    noise_scale += seed_index * noise_scale_stride;
    seed = seed_plus(seed, (uint)seed_index);
    int wx = w % windows_wide;
    int wy = (w / windows_wide) % windows_high;
    int bo = w / (windows_wide * windows_high);
    int o = bo % out_channels, b = bo / out_channels;
    int plane = out_height * out_width;
    float shift = bias[bias_offset + o];
    float best = 0.0f;
    int position = 0;
    for (int k = 0; k < 4; k++) {
        int y = 2 * wy + k / 2, x = 2 * wx + k % 2;
        if (y >= out_height || x >= out_width) continue;
        int s = y * out_width + x;
        float value = fmax(lrt_conv_epilogue_value(mean + mean_offset, variance + variance_offset, shift,
                                                   noise_scale + noise_scale_offset, bo * plane + s,
                                                   o * (batch * plane) + b * plane + s, with_noise, seed, step, stream, first), 0.0f);
        if (k == 0 || value > best) { best = value; position = k; }
    }
    int pooled_high = out_height / 2, pooled_wide = out_width / 2;
    if (wy >= pooled_high || wx >= pooled_wide) return;
    int p = (bo * pooled_high + wy) * pooled_wide + wx;
    out[out_offset + p] = best;
    argmax[argmax_offset + p] = (float)position;
}

// lrt_conv_backward_gather, one work item per pre-pool NCHW index i (as in the epilogue) and seed:
//   pool = 0: g'[o, n] = g[i] (0 where a fused ReLU's output out[i] ≤ 0)
//   pool = 1 (a fused ReLU and max-pool; g, out and argmax are pooled, [B, O, ⌊Ho/2⌋, ⌊Wo/2⌋]):
//             g'[o, n] = g[q] where i is argmax[q] of its window q and out[q] > 0, else 0
//             (also 0 in an odd last row or column), as max_pool_backward then the ReLU's mask
//   with noise also gv'[o, n] = g'[o, n]·noise_scale[i]
__kernel void lrt_conv_backward_gather(__global const float *grad, int grad_offset, int grad_stride,
                                       __global const float *out, int out_offset, int out_stride,
                                       __global const float *argmax, int argmax_offset, int argmax_stride,
                                       __global const float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                                       __global float *grad_rows, int grad_rows_offset, int grad_rows_stride,
                                       __global float *grad_variance_rows, int grad_variance_rows_offset, int grad_variance_rows_stride,
                                       int batch, int out_channels, int out_height, int out_width,
                                       int with_noise, int relu, int pool) {
    int plane = out_height * out_width;
    int i = get_global_id(0);
    if (i >= batch * out_channels * plane) return;
    long seed_index = get_global_id(1);
    grad += seed_index * grad_stride;
    out += seed_index * out_stride;
    argmax += seed_index * argmax_stride;
    noise_scale += seed_index * noise_scale_stride;
    grad_rows += seed_index * grad_rows_stride;
    grad_variance_rows += seed_index * grad_variance_rows_stride;
    int s = i % plane;
    int o = (i / plane) % out_channels;
    int b = i / (plane * out_channels);
    int j = o * (batch * plane) + b * plane + s;
    float g = 0.0f;
    if (pool) {
        int y = s / out_width, x = s % out_width;
        int pooled_high = out_height / 2, pooled_wide = out_width / 2;
        if (y / 2 < pooled_high && x / 2 < pooled_wide) {
            int q = ((b * out_channels + o) * pooled_high + y / 2) * pooled_wide + x / 2;
            if ((int)argmax[argmax_offset + q] == (y & 1) * 2 + (x & 1) && out[out_offset + q] > 0.0f) g = grad[grad_offset + q];
        }
    } else {
        g = (relu && out[out_offset + i] <= 0.0f) ? 0.0f : grad[grad_offset + i];
    }
    grad_rows[grad_rows_offset + j] = g;
    if (with_noise) grad_variance_rows[grad_variance_rows_offset + j] = g * noise_scale[noise_scale_offset + i];
}

// lrt_conv_bias_gradient, one work group of WG_SIZE per output channel o (and seed: dimension 1):
//   ∂L/∂b[o] = Σ_n g'[o, n]   (strided partial sums, then a tree in local memory)
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void lrt_conv_bias_gradient(__global const float *grad_rows, int grad_rows_offset, int grad_rows_stride,
                            __global float *grad_bias, int grad_bias_offset, int grad_bias_stride, int positions) {
    __local float scratch[WG_SIZE];
    int o = get_group_id(0), lane = get_local_id(0);
    long seed_index = get_global_id(1);
    grad_rows += seed_index * grad_rows_stride;
    grad_bias += seed_index * grad_bias_stride;
    __global const float *row = grad_rows + grad_rows_offset + o * positions;
    float sum = 0.0f;
    for (int n = lane; n < positions; n += WG_SIZE) sum += row[n];
    float total = work_group_sum(scratch, sum);
    if (lane == 0) grad_bias[grad_bias_offset + o] = total;
}

// lrt_conv_col2im, one work item per input pixel i = ((b·C + c)·H + y)·W + x and seed (a gather, no atomics):
//   a = Σ_{ky,kx} dcol[p, n],  s = Σ_{ky,kx} dcol_var[p, n]
//   over the windows that cover the pixel: oy = y + pad − ky, ox = x + pad − kx inside the output,
//   p = (c·K + ky)·K + kx, n = b·Ho·Wo + oy·Wo + ox;
//   ∂L/∂x[i] = a + 2·x[i]·s   (s only with_noise)
// dcol = θᵀ·g' and dcol_var = (σ²)ᵀ·gv' come from GEMMs.
__kernel void lrt_conv_col2im(__global const float *x, int x_offset, int x_stride,
                              __global const float *dcol, int dcol_offset, int dcol_stride,
                              __global const float *dcol_var, int dcol_var_offset, int dcol_var_stride,
                              __global float *grad_input, int grad_input_offset, int grad_input_stride,
                              int batch, int channels, int height, int width,
                              int kernel_size, int padding, int with_noise) {
    int out_height = conv_out_size(height, kernel_size, padding);
    int out_width = conv_out_size(width, kernel_size, padding);
    int plane = out_height * out_width;
    int positions = batch * plane;
    int i = get_global_id(0);
    if (i >= batch * channels * height * width) return;
    long seed_index = get_global_id(1);
    x += seed_index * x_stride;
    dcol += seed_index * dcol_stride;
    dcol_var += seed_index * dcol_var_stride;
    grad_input += seed_index * grad_input_stride;
    int px = i % width;
    int py = (i / width) % height;
    int c = (i / (width * height)) % channels;
    int b = i / (width * height * channels);
    float a = 0.0f, s = 0.0f;
    for (int ky = 0; ky < kernel_size; ky++) {
        int oy = py + padding - ky;
        if (oy < 0 || oy >= out_height) continue;
        for (int kx = 0; kx < kernel_size; kx++) {
            int ox = px + padding - kx;
            if (ox < 0 || ox >= out_width) continue;
            int j = ((c * kernel_size + ky) * kernel_size + kx) * positions + b * plane + oy * out_width + ox;
            a += dcol[dcol_offset + j];
            if (with_noise) s += dcol_var[dcol_var_offset + j];
        }
    }
    grad_input[grad_input_offset + i] = with_noise ? a + 2.0f * x[x_offset + i] * s : a;
}

// The input gradient as a convolution (the implicit conv route): for a stride-1 convolution,
//   ∂L/∂x = conv(g', θ'),  θ'[c, o, ky, kx] = θ[o, c, K−1−ky, K−1−kx], padding K−1−pad,
// and likewise (σ²)' with gv'. lrt_conv_gemm.cl's implicit product computes both on g' and gv'
// (read as [O, B, Ho, Wo] images) into [C, B·H·W] rows; no column gradients are stored.

// lrt_conv_flip_weights, one work item per value of θ' (and seed): θ' (and (σ²)' with noise)
// as above, [C, O·K·K] row-major, the A operand of those products.
__kernel void lrt_conv_flip_weights(__global const float *theta, int theta_offset, int theta_stride,
                                    __global const float *variance, int variance_offset, int variance_stride,
                                    __global float *flipped_theta, int flipped_theta_offset, int flipped_theta_stride,
                                    __global float *flipped_variance, int flipped_variance_offset, int flipped_variance_stride,
                                    int out_channels, int channels, int kernel_size, int with_noise) {
    int taps = kernel_size * kernel_size;
    int i = get_global_id(0);
    if (i >= out_channels * channels * taps) return;
    long seed_index = get_global_id(1);
    theta += seed_index * theta_stride;
    variance += seed_index * variance_stride;
    flipped_theta += seed_index * flipped_theta_stride;
    flipped_variance += seed_index * flipped_variance_stride;
    int t = i % taps, o = (i / taps) % out_channels, c = i / (taps * out_channels);
    int source = (o * channels + c) * taps + (taps - 1 - t);  // (K−1−ky)·K + K−1−kx = K² − 1 − t
    flipped_theta[flipped_theta_offset + i] = theta[theta_offset + source];
    if (with_noise) flipped_variance[flipped_variance_offset + i] = variance[variance_offset + source];
}

// lrt_conv_input_gradient, one work item per input value i = ((b·C + c)·H + y)·W + x (and seed),
// from the products' rows dmean, dvar [C, B·H·W] at n = b·H·W + y·W + x:
//   ∂L/∂x[i] = dmean[c, n] + 2·x[i]·dvar[c, n]   (dvar only with_noise), as lrt_conv_col2im.
__kernel void lrt_conv_input_gradient(__global const float *x, int x_offset, int x_stride,
                                      __global const float *dmean, int dmean_offset, int dmean_stride,
                                      __global const float *dvar, int dvar_offset, int dvar_stride,
                                      __global float *grad_input, int grad_input_offset, int grad_input_stride,
                                      int batch, int channels, int plane, int with_noise) {
    int i = get_global_id(0);
    if (i >= batch * channels * plane) return;
    long seed_index = get_global_id(1);
    x += seed_index * x_stride;
    dmean += seed_index * dmean_stride;
    dvar += seed_index * dvar_stride;
    grad_input += seed_index * grad_input_stride;
    int s = i % plane, c = (i / plane) % channels, b = i / (plane * channels);
    int j = c * batch * plane + b * plane + s;
    float a = dmean[dmean_offset + j];
    grad_input[grad_input_offset + i] = with_noise ? a + 2.0f * x[x_offset + i] * dvar[dvar_offset + j] : a;
}
