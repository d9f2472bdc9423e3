// A stride-1 convolution with local reparameterization, around the CLBlast GEMMs.
// x is NCHW [B, C, H, W]; θ and σ² are [O, C·K·K]; the unfolded input ("columns")
// is [C·K·K, N] with N = B·Ho·Wo, column n = b·Ho·Wo + oy·Wo + ox and row
// p = (c·K + ky)·K + kx; the GEMM results mean and v are [O, N]; out, noise_scale
// and g are NCHW [B, O, Ho, Wo] with Ho = H + 2·pad − K + 1, Wo likewise.
#include "philox.clh"

#ifndef WG_SIZE
#define WG_SIZE 64
#endif

// lrt_conv_im2col, one work item per (p, n):
//   columns[p, n] = x[b, c, oy + ky − pad, ox + kx − pad] (0 outside the image)
//   with_squares: columns_squared[p, n] = columns[p, n]²   (one read of x for both)
__kernel void lrt_conv_im2col(__global const float *x, int x_offset,
                              __global float *columns, int columns_offset,
                              __global float *columns_squared, int columns_squared_offset,
                              int batch, int channels, int height, int width,
                              int kernel_size, int padding, int with_squares) {
    int out_height = height + 2 * padding - kernel_size + 1;
    int out_width = width + 2 * padding - kernel_size + 1;
    int plane = out_height * out_width;
    int positions = batch * plane;
    int index = get_global_id(0);
    if (index >= channels * kernel_size * kernel_size * positions) return;
    int p = index / positions, n = index - p * positions;
    int c = p / (kernel_size * kernel_size);
    int ky = (p / kernel_size) % kernel_size, kx = p % kernel_size;
    int b = n / plane, s = n - b * plane;
    int iy = s / out_width + ky - padding, ix = s % out_width + kx - padding;
    float v = 0.0f;
    if (iy >= 0 && iy < height && ix >= 0 && ix < width)
        v = x[x_offset + ((b * channels + c) * height + iy) * width + ix];
    columns[columns_offset + index] = v;
    if (with_squares) columns_squared[columns_squared_offset + index] = v * v;
}

// lrt_conv_forward_epilogue, one work item per NCHW output index i = (b·O + o)·Ho·Wo + s,
// reading the GEMM results at [o, n = b·Ho·Wo + s]:
//   with noise: r = √(v[o,n] + 1e-8), ε = philox_normal(seed, step, stream, i),
//               out[i] = mean[o,n] + bias[o] + r·ε,  noise_scale[i] = ε / (2r)
//   without:    out[i] = mean[o,n] + bias[o]
//   with relu (a fused ReLU): out[i] = max(out[i], 0)
__kernel void lrt_conv_forward_epilogue(__global const float *mean, int mean_offset,
                                        __global const float *variance, int variance_offset,
                                        __global const float *bias, int bias_offset,
                                        __global float *out, int out_offset,
                                        __global float *noise_scale, int noise_scale_offset,
                                        int batch, int out_channels, int plane, int with_noise, int relu,
                                        uint2 seed, uint2 step, uint stream) {
    int i = get_global_id(0);
    if (i >= batch * out_channels * plane) return;
    int s = i % plane;
    int o = (i / plane) % out_channels;
    int b = i / (plane * out_channels);
    int j = o * (batch * plane) + b * plane + s;
    float value = mean[mean_offset + j] + bias[bias_offset + o];
    if (with_noise) {
        float r = sqrt(variance[variance_offset + j] + 1e-8f);
        float eps = philox_normal(seed, step, stream, (uint)i);
        value += r * eps;
        noise_scale[noise_scale_offset + i] = eps / (2.0f * r);
    }
    out[out_offset + i] = relu ? fmax(value, 0.0f) : value;
}

// lrt_conv_backward_gather, one work item per NCHW index i (as in the epilogue):
//   g'[o, n] = g[i] (0 where a fused ReLU's output out[i] ≤ 0);  with noise also gv'[o, n] = g'[o, n]·noise_scale[i]
__kernel void lrt_conv_backward_gather(__global const float *grad, int grad_offset,
                                       __global const float *out, int out_offset,
                                       __global const float *noise_scale, int noise_scale_offset,
                                       __global float *grad_rows, int grad_rows_offset,
                                       __global float *grad_variance_rows, int grad_variance_rows_offset,
                                       int batch, int out_channels, int plane, int with_noise, int relu) {
    int i = get_global_id(0);
    if (i >= batch * out_channels * plane) return;
    int s = i % plane;
    int o = (i / plane) % out_channels;
    int b = i / (plane * out_channels);
    int j = o * (batch * plane) + b * plane + s;
    float g = (relu && out[out_offset + i] <= 0.0f) ? 0.0f : grad[grad_offset + i];
    grad_rows[grad_rows_offset + j] = g;
    if (with_noise) grad_variance_rows[grad_variance_rows_offset + j] = g * noise_scale[noise_scale_offset + i];
}

// lrt_conv_bias_gradient, one work group of WG_SIZE per output channel o:
//   ∂L/∂b[o] = Σ_n g'[o, n]   (strided partial sums, then a tree in local memory)
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void lrt_conv_bias_gradient(__global const float *grad_rows, int grad_rows_offset,
                            __global float *grad_bias, int grad_bias_offset, int positions) {
    __local float partial[WG_SIZE];
    int o = get_group_id(0), lane = get_local_id(0);
    __global const float *row = grad_rows + grad_rows_offset + o * positions;
    float sum = 0.0f;
    for (int n = lane; n < positions; n += WG_SIZE) sum += row[n];
    partial[lane] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = WG_SIZE / 2; width > 0; width /= 2) {
        if (lane < width) partial[lane] += partial[lane + width];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lane == 0) grad_bias[grad_bias_offset + o] = partial[0];
}

// lrt_conv_col2im, one work item per input pixel i = ((b·C + c)·H + y)·W + x (a gather, no atomics):
//   a = Σ_{ky,kx} dcol[p, n],  s = Σ_{ky,kx} dcol_var[p, n]
//   over the windows that cover the pixel: oy = y + pad − ky, ox = x + pad − kx inside the output,
//   p = (c·K + ky)·K + kx, n = b·Ho·Wo + oy·Wo + ox;
//   ∂L/∂x[i] = a + 2·x[i]·s   (s only with_noise)
// dcol = θᵀ·g' and dcol_var = (σ²)ᵀ·gv' come from GEMMs.
__kernel void lrt_conv_col2im(__global const float *x, int x_offset,
                              __global const float *dcol, int dcol_offset,
                              __global const float *dcol_var, int dcol_var_offset,
                              __global float *grad_input, int grad_input_offset,
                              int batch, int channels, int height, int width,
                              int kernel_size, int padding, int with_noise) {
    int out_height = height + 2 * padding - kernel_size + 1;
    int out_width = width + 2 * padding - kernel_size + 1;
    int plane = out_height * out_width;
    int positions = batch * plane;
    int i = get_global_id(0);
    if (i >= batch * channels * height * width) return;
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
