// BatchNorm over input [B, C, S] (S = H·W, or 1 after a dense layer); element
// (b, c, s) is at (b·C + c)·S + s. Per channel c, n = B·S values are normalized.
//
// The per-channel sums run in one work-group per channel: each work item adds
// the elements j = lid, lid + WG_SIZE, … in order, then a local-memory tree adds
// the WG_SIZE partial sums. The order is fixed, so repeated runs give the same bits.
// WG_SIZE must be a power of two and is the launch's local size.

#include "work_group_sum.clh"

// batch_norm_statistics (training), one work-group per channel c:
//   mean = Σx/n,  var = Σ(x − mean)²/n (biased; two passes for accuracy),
//   saved_mean = mean,  saved_inv_std = 1/√(var + ε),
//   running_mean ← (1−m)·running_mean + m·mean,
//   running_var  ← (1−m)·running_var + m·var·n/(n−1)   (n/(n−1) taken as 1 when n = 1).
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void batch_norm_statistics(__global const float *input, int input_offset,
                           __global float *saved_mean, int saved_mean_offset,
                           __global float *saved_inv_std, int saved_inv_std_offset,
                           __global float *running_mean, int running_mean_offset,
                           __global float *running_var, int running_var_offset,
                           int batch, int channels, int spatial, float momentum, float epsilon) {
    __local float scratch[WG_SIZE];
    int c = get_group_id(0);
    int lid = get_local_id(0);
    int n = batch * spatial;
    __global const float *x = input + input_offset + c * spatial;

    float partial = 0.0f;
    for (int j = lid; j < n; j += WG_SIZE) {
        int b = j / spatial;
        partial += x[b * channels * spatial + (j - b * spatial)];
    }
    float mean = work_group_sum(scratch, partial) / (float)n;

    partial = 0.0f;
    for (int j = lid; j < n; j += WG_SIZE) {
        int b = j / spatial;
        float d = x[b * channels * spatial + (j - b * spatial)] - mean;
        partial += d * d;
    }
    float variance = work_group_sum(scratch, partial) / (float)n;

    if (lid == 0) {
        saved_mean[saved_mean_offset + c] = mean;
        saved_inv_std[saved_inv_std_offset + c] = 1.0f / sqrt(variance + epsilon);
        float unbiased = n > 1 ? variance * ((float)n / (float)(n - 1)) : variance;
        running_mean[running_mean_offset + c] = (1.0f - momentum) * running_mean[running_mean_offset + c] + momentum * mean;
        running_var[running_var_offset + c] = (1.0f - momentum) * running_var[running_var_offset + c] + momentum * unbiased;
    }
}

// batch_norm_normalize, one work item per element:
//   out = γ_c·(x − mean_c)·inv_c + β_c, then max(out, 0) when relu (a fused ReLU: as
//   relu_forward on the same value, so the bits equal BatchNorm then a ReLU layer),
// where inv_c = scale_c when scale holds 1/√(var+ε) (training, the saved statistics),
// or inv_c = 1/√(scale_c + ε) when scale_is_variance (evaluation, the running statistics).
__kernel void batch_norm_normalize(__global const float *input, int input_offset,
                                   __global const float *mean, int mean_offset,
                                   __global const float *scale, int scale_offset, int scale_is_variance,
                                   __global const float *gamma, int gamma_offset,
                                   __global const float *beta, int beta_offset,
                                   __global float *output, int output_offset,
                                   int count, int channels, int spatial, float epsilon, int relu) {
    int i = get_global_id(0);
    if (i >= count) return;
    int c = (i / spatial) % channels;
    float s = scale[scale_offset + c];
    float inv = scale_is_variance ? 1.0f / sqrt(s + epsilon) : s;
    float y = gamma[gamma_offset + c] * ((input[input_offset + i] - mean[mean_offset + c]) * inv)
              + beta[beta_offset + c];
    output[output_offset + i] = relu ? fmax(y, 0.0f) : y;
}

// The gradient at the BatchNorm's output: with a fused ReLU, ∂L/∂out only where the (ReLU's)
// output is > 0, else 0, exactly relu_backward's mask, so the sums below see the same values
// a separate ReLU layer would have written.
inline float batch_norm_gradient(__global const float *grad_output, __global const float *output, int k, int relu) {
    return (!relu || output[k] > 0.0f) ? grad_output[k] : 0.0f;
}

// batch_norm_backward_reduce, one work-group per channel c, with x̂ = (x − mean)·inv_std:
//   grad_beta_c = Σ g,   grad_gamma_c = Σ g·x̂.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void batch_norm_backward_reduce(__global const float *input, int input_offset,
                                __global const float *grad_output, int grad_output_offset,
                                __global const float *output, int output_offset,
                                __global const float *saved_mean, int saved_mean_offset,
                                __global const float *saved_inv_std, int saved_inv_std_offset,
                                __global float *grad_gamma, int grad_gamma_offset,
                                __global float *grad_beta, int grad_beta_offset,
                                int batch, int channels, int spatial, int relu) {
    __local float scratch[WG_SIZE];
    int c = get_group_id(0);
    int lid = get_local_id(0);
    int n = batch * spatial;
    float mean = saved_mean[saved_mean_offset + c];
    float invStd = saved_inv_std[saved_inv_std_offset + c];
    __global const float *x = input + input_offset + c * spatial;
    __global const float *g = grad_output + grad_output_offset + c * spatial;
    __global const float *y = output + output_offset + c * spatial;

    float sumG = 0.0f, sumGXHat = 0.0f;
    for (int j = lid; j < n; j += WG_SIZE) {
        int b = j / spatial;
        int k = b * channels * spatial + (j - b * spatial);
        float gradient = batch_norm_gradient(g, y, k, relu);
        sumG += gradient;
        sumGXHat += gradient * ((x[k] - mean) * invStd);
    }
    sumG = work_group_sum(scratch, sumG);
    sumGXHat = work_group_sum(scratch, sumGXHat);
    if (lid == 0) {
        grad_beta[grad_beta_offset + c] = sumG;
        grad_gamma[grad_gamma_offset + c] = sumGXHat;
    }
}

// batch_norm_backward_input, one work item per element, with the sums of
// batch_norm_backward_reduce (Σg = grad_beta_c, Σg·x̂ = grad_gamma_c):
//   dx = γ_c·inv_std_c/n · (n·g − Σg − x̂·Σg·x̂),
// g masked by the fused ReLU's output when relu. grad_input may be grad_output: each item
// reads and writes its own index only.
__kernel void batch_norm_backward_input(__global const float *input, int input_offset,
                                        __global const float *gamma, int gamma_offset,
                                        __global const float *grad_output, int grad_output_offset,
                                        __global const float *output, int output_offset,
                                        __global const float *saved_mean, int saved_mean_offset,
                                        __global const float *saved_inv_std, int saved_inv_std_offset,
                                        __global const float *grad_gamma, int grad_gamma_offset,
                                        __global const float *grad_beta, int grad_beta_offset,
                                        __global float *grad_input, int grad_input_offset,
                                        int count, int channels, int spatial, int n, int relu) {
    int i = get_global_id(0);
    if (i >= count) return;
    int c = (i / spatial) % channels;
    float invStd = saved_inv_std[saved_inv_std_offset + c];
    float xHat = (input[input_offset + i] - saved_mean[saved_mean_offset + c]) * invStd;
    float g = batch_norm_gradient(grad_output + grad_output_offset, output + output_offset, i, relu);
    float fn = (float)n;
    grad_input[grad_input_offset + i] = gamma[gamma_offset + c] * invStd / fn
        * (fn * g - grad_beta[grad_beta_offset + c] - xHat * grad_gamma[grad_gamma_offset + c]);
}
