// A dense layer with local reparameterization, around the CLBlast GEMMs:
// mean = x·θᵀ (into out), v = (x⊙x)·(σ²)ᵀ, then one fused epilogue; backward
// scales g into gv and sums the bias gradient before its GEMMs.
// Layouts: x [batch, in], θ and σ² [out, in], out/v/noise_scale/g [batch, out].
#include "philox.clh"

#ifndef WG_SIZE
#define WG_SIZE 64
#endif

// lrt_dense_square: sq[i] = x[i]²   (the input of the variance GEMM)
__kernel void lrt_dense_square(__global const float *x, int x_offset,
                               __global float *sq, int sq_offset, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    float v = x[x_offset + i];
    sq[sq_offset + i] = v * v;
}

// lrt_dense_forward_epilogue, for i = b·outputs + o:
//   with noise: s = √(v[i] + 1e-8), ε = philox_normal(seed, step, stream, i),
//               out[i] = out[i] + bias[o] + s·ε,  noise_scale[i] = ε / (2s)
//   without:    out[i] = out[i] + bias[o]     (v and noise_scale are not touched)
__kernel void lrt_dense_forward_epilogue(__global float *out, int out_offset,
                                         __global const float *bias, int bias_offset,
                                         __global const float *variance, int variance_offset,
                                         __global float *noise_scale, int noise_scale_offset,
                                         int count, int outputs, int with_noise,
                                         uint2 seed, uint2 step, uint stream) {
    int i = get_global_id(0);
    if (i >= count) return;
    float value = out[out_offset + i] + bias[bias_offset + i % outputs];
    if (with_noise) {
        float s = sqrt(variance[variance_offset + i] + 1e-8f);
        float eps = philox_normal(seed, step, stream, (uint)i);
        value += s * eps;
        noise_scale[noise_scale_offset + i] = eps / (2.0f * s);
    }
    out[out_offset + i] = value;
}

// lrt_dense_backward_scale, one work item per output o:
//   ∂L/∂b[o] = Σ_b g[b,o];  with noise also gv[b,o] = g[b,o]·noise_scale[b,o]
__kernel void lrt_dense_backward_scale(__global const float *grad, int grad_offset,
                                       __global const float *noise_scale, int noise_scale_offset,
                                       __global float *grad_variance_out, int grad_variance_out_offset,
                                       __global float *grad_bias, int grad_bias_offset,
                                       int batch, int outputs, int with_noise) {
    int o = get_global_id(0);
    if (o >= outputs) return;
    float sum = 0.0f;
    for (int b = 0; b < batch; b++) {
        int i = b * outputs + o;
        float g = grad[grad_offset + i];
        sum += g;
        if (with_noise) grad_variance_out[grad_variance_out_offset + i] = g * noise_scale[noise_scale_offset + i];
    }
    grad_bias[grad_bias_offset + o] = sum;
}

// lrt_dense_input_gradient: dx[i] += 2·x[i]·t[i], with t = gv·σ² from a GEMM and dx = g·θ already in place
__kernel void lrt_dense_input_gradient(__global const float *x, int x_offset,
                                       __global const float *t, int t_offset,
                                       __global float *grad_input, int grad_input_offset, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    grad_input[grad_input_offset + i] += 2.0f * x[x_offset + i] * t[t_offset + i];
}
