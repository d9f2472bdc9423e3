#include "philox.clh"

// Dense layers with local reparameterization, each pass ONE kernel: the two GEMMs of the
// mean and the variance share their tiles of x (x⊙x is formed on the fly), and the bias,
// the noise, the optional ReLU and the noise scale are the epilogue. A dense layer's forward
// is one launch and its backward two, where a GEMM library would need six to nine.
//
// Layouts: x [B, I], θ and σ² [O, I] (PyTorch's), out [B, O]. TILE×TILE work-groups with
// TILE×(TILE+1) local tiles (the +1 avoids bank conflicts); edges are guarded, so any sizes work.
// Each tensor comes with a seed stride: a seed batch launches a kernel once for all its seeds
// (the grid's third dimension), seed s reading and writing s strides further (0 for one network).

#ifndef TILE
#error "TILE is set by the host (-DTILE): the side of the square work-groups"
#endif

// lrt_dense_forward: μ = Σ_i x[b,i]·θ[o,i] + bias[o], v = Σ_i x[b,i]²·σ²[o,i];
// with noise: y = μ + √(v+1e-8)·ε, ε = philox_normal(seed, step, stream, first + b·O+o) (first: the
// global batch's element of this batch's first value, 0 but in a data-parallel rank), noise_scale = ε/(2√(v+1e-8));
// without: y = μ. With relu: out = max(y, 0). Work item (o, b).
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void lrt_dense_forward(__global const float *x, int x_offset, int x_stride, __global const float *theta, int theta_offset, int theta_stride,
                       __global const float *variance, int variance_offset, int variance_stride, __global const float *bias, int bias_offset, int bias_stride,
                       __global float *out, int out_offset, int out_stride, __global float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                       int B, int I, int O, int with_noise, int relu, uint2 seed, uint2 step, uint stream,
                       uint first) {
    // A seed batch: group dimension 2 is the seed, whose tensors lie a stride after the previous seed's.
    long seed_index = get_global_id(2);
    x += seed_index * x_stride;
    theta += seed_index * theta_stride;
    variance += seed_index * variance_stride;
    bias += seed_index * bias_stride;
    out += seed_index * out_stride;
    noise_scale += seed_index * noise_scale_stride;
    seed = seed_plus(seed, (uint)seed_index);  // consecutive seeds: seed, seed + 1, ...

    __local float xs[TILE][TILE + 1];
    __local float ts[TILE][TILE + 1];
    __local float vs[TILE][TILE + 1];
    int lx = get_local_id(0), ly = get_local_id(1);
    int o = get_group_id(0) * TILE + lx, b = get_group_id(1) * TILE + ly;
    int o_row = get_group_id(0) * TILE + ly;  // the θ row this item loads
    float mean = 0.0f, var = 0.0f;
    for (int i0 = 0; i0 < I; i0 += TILE) {
        int i = i0 + lx;
        xs[ly][lx] = (b < B && i < I) ? x[x_offset + b * I + i] : 0.0f;
        ts[ly][lx] = (o_row < O && i < I) ? theta[theta_offset + o_row * I + i] : 0.0f;
        vs[ly][lx] = (with_noise && o_row < O && i < I) ? variance[variance_offset + o_row * I + i] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE; k++) {
            float xv = xs[ly][k];
            mean += xv * ts[lx][k];
            var += xv * xv * vs[lx][k];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (b >= B || o >= O) return;
    int index = b * O + o;
    float y = mean + bias[bias_offset + o];
    if (with_noise) {
        float r = sqrt(var + 1e-8f);
        float eps = philox_normal(seed, step, stream, first + (uint)index);
        y += r * eps;
        noise_scale[noise_scale_offset + index] = eps / (2.0f * r);
    }
    out[out_offset + index] = relu ? fmax(y, 0.0f) : y;
}

// The gradient reaching output (b, o) before the fused ReLU, g' (0 where the ReLU's output is not
// positive, or outside the matrix), and gv = g'·noise_scale (0 without noise), as (g', gv).
inline float2 dense_pre_gradient(__global const float *g, int g_offset, __global const float *out, int out_offset,
                                 __global const float *noise_scale, int noise_scale_offset,
                                 int b, int o, int B, int O, int with_noise, int relu) {
    if (b >= B || o >= O) return (float2)(0.0f, 0.0f);
    int index = b * O + o;
    float gradient = (relu && out[out_offset + index] <= 0.0f) ? 0.0f : g[g_offset + index];
    return (float2)(gradient, with_noise ? gradient * noise_scale[noise_scale_offset + index] : 0.0f);
}

// lrt_dense_weight_gradient: with g' the pre-activation gradient and gv = g'·noise_scale,
// ∂θ[o,i] = Σ_b g'[b,o]·x[b,i]; ∂σ²[o,i] = Σ_b gv[b,o]·x[b,i]² (with noise only);
// gaussian (alpha > 0): ∂θ += 2α·θ·∂σ²; ∂b[o] = Σ_b g'[b,o], by the first column of work-groups.
// Work item (i, o).
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void lrt_dense_weight_gradient(__global const float *g, int g_offset, int g_stride, __global const float *out, int out_offset, int out_stride,
                               __global const float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                               __global const float *x, int x_offset, int x_stride, __global const float *theta, int theta_offset, int theta_stride,
                               __global float *grad_theta, int grad_theta_offset, int grad_theta_stride, __global float *grad_variance, int grad_variance_offset, int grad_variance_stride,
                               __global float *grad_bias, int grad_bias_offset, int grad_bias_stride,
                               int B, int I, int O, int with_noise, int relu, float gaussian_alpha) {
    // A seed batch: group dimension 2 is the seed, whose tensors lie a stride after the previous seed's.
    long seed_index = get_global_id(2);
    g += seed_index * g_stride;
    out += seed_index * out_stride;
    noise_scale += seed_index * noise_scale_stride;
    x += seed_index * x_stride;
    theta += seed_index * theta_stride;
    grad_theta += seed_index * grad_theta_stride;
    grad_variance += seed_index * grad_variance_stride;
    grad_bias += seed_index * grad_bias_stride;

    __local float gs[TILE][TILE + 1];  // [b][o]
    __local float ns[TILE][TILE + 1];  // [b][o], gv
    __local float xs[TILE][TILE + 1];  // [b][i]
    int lx = get_local_id(0), ly = get_local_id(1);
    int i = get_group_id(0) * TILE + lx, o = get_group_id(1) * TILE + ly;
    int o_load = get_group_id(1) * TILE + lx;  // the g column this item loads
    float dtheta = 0.0f, dvariance = 0.0f, dbias = 0.0f;
    for (int b0 = 0; b0 < B; b0 += TILE) {
        int b = b0 + ly;
        float2 gradient = dense_pre_gradient(g, g_offset, out, out_offset, noise_scale, noise_scale_offset,
                                             b, o_load, B, O, with_noise, relu);
        gs[ly][lx] = gradient.x;
        ns[ly][lx] = gradient.y;
        xs[ly][lx] = (b < B && i < I) ? x[x_offset + b * I + i] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE; k++) {
            float xv = xs[k][lx];
            dtheta += gs[k][ly] * xv;
            dvariance += ns[k][ly] * xv * xv;
            dbias += gs[k][ly];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (o >= O) return;
    if (get_group_id(0) == 0 && lx == 0) grad_bias[grad_bias_offset + o] = dbias;
    if (i >= I) return;
    int w = o * I + i;
    if (with_noise) {
        grad_variance[grad_variance_offset + w] = dvariance;
        if (gaussian_alpha > 0.0f) dtheta += 2.0f * gaussian_alpha * theta[theta_offset + w] * dvariance;
    }
    grad_theta[grad_theta_offset + w] = dtheta;
}

// lrt_dense_input_gradient: ∂x[b,i] = Σ_o g'[b,o]·θ[o,i] + 2x[b,i]·Σ_o gv[b,o]·σ²[o,i]
// (the second term with noise only). Work item (i, b).
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void lrt_dense_input_gradient(__global const float *g, int g_offset, int g_stride, __global const float *out, int out_offset, int out_stride,
                              __global const float *noise_scale, int noise_scale_offset, int noise_scale_stride,
                              __global const float *x, int x_offset, int x_stride, __global const float *theta, int theta_offset, int theta_stride,
                              __global const float *variance, int variance_offset, int variance_stride,
                              __global float *grad_x, int grad_x_offset, int grad_x_stride, int B, int I, int O, int with_noise, int relu) {
    // A seed batch: group dimension 2 is the seed, whose tensors lie a stride after the previous seed's.
    long seed_index = get_global_id(2);
    g += seed_index * g_stride;
    out += seed_index * out_stride;
    noise_scale += seed_index * noise_scale_stride;
    x += seed_index * x_stride;
    theta += seed_index * theta_stride;
    variance += seed_index * variance_stride;
    grad_x += seed_index * grad_x_stride;

    __local float gs[TILE][TILE + 1];  // [b][o]
    __local float ns[TILE][TILE + 1];  // [b][o], gv
    __local float ts[TILE][TILE + 1];  // [o][i]
    __local float vs[TILE][TILE + 1];  // [o][i]
    int lx = get_local_id(0), ly = get_local_id(1);
    int i = get_group_id(0) * TILE + lx, b = get_group_id(1) * TILE + ly;
    float mean_path = 0.0f, variance_path = 0.0f;
    for (int o0 = 0; o0 < O; o0 += TILE) {
        int o_load = o0 + lx, o_row = o0 + ly;
        float2 gradient = dense_pre_gradient(g, g_offset, out, out_offset, noise_scale, noise_scale_offset,
                                             b, o_load, B, O, with_noise, relu);
        gs[ly][lx] = gradient.x;
        ns[ly][lx] = gradient.y;
        ts[ly][lx] = (o_row < O && i < I) ? theta[theta_offset + o_row * I + i] : 0.0f;
        vs[ly][lx] = (with_noise && o_row < O && i < I) ? variance[variance_offset + o_row * I + i] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE; k++) {
            mean_path += gs[ly][k] * ts[k][lx];
            variance_path += ns[ly][k] * vs[k][lx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (b >= B || i >= I) return;
    int index = b * I + i;
    grad_x[grad_x_offset + index] = with_noise ? mean_path + 2.0f * x[x_offset + index] * variance_path : mean_path;
}
