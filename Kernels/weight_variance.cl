// The posterior variance σ² of every weight, and the chain rule of σ² = α·θ² back into θ.
// Each kernel is one elementwise pass over a whole arena segment; a seed batch launches the
// forward two over several arenas at once: get_global_id(1) is the seed, whose values lie
// input_stride (θ, log σ²) and variance_stride (σ²) after the previous seed's.

#ifndef WG_SIZE
#define WG_SIZE 64
#endif

// weight_variance_lrt: σ²[i] = exp(log σ²[i])   (free variances: ard, svdo, gamma)
__kernel void weight_variance_lrt(__global const float *log_sigma2, int log_sigma2_offset,
                                  __global float *variance, int variance_offset, int count,
                                  int input_stride, int variance_stride) {
    int i = get_global_id(0);
    if (i >= count) return;
    long seed = get_global_id(1);
    variance[variance_offset + seed * variance_stride + i] = exp(log_sigma2[log_sigma2_offset + seed * input_stride + i]);
}

// weight_variance_gaussian: σ²[i] = α·θ[i]²   (Gaussian dropout with a fixed rate α)
__kernel void weight_variance_gaussian(__global const float *theta, int theta_offset,
                                       __global float *variance, int variance_offset, int count, float alpha,
                                       int input_stride, int variance_stride) {
    int i = get_global_id(0);
    if (i >= count) return;
    long seed = get_global_id(1);
    float t = theta[theta_offset + seed * input_stride + i];
    variance[variance_offset + seed * variance_stride + i] = alpha * t * t;
}

// weight_variance_gaussian_backward: ∂L/∂θ[i] += 2α·θ[i]·∂L/∂σ²[i]   (the variance path of σ² = α·θ²)
__kernel void weight_variance_gaussian_backward(__global const float *theta, int theta_offset,
                                                __global const float *grad_variance, int grad_variance_offset,
                                                __global float *grad_theta, int grad_theta_offset,
                                                int count, float alpha) {
    int i = get_global_id(0);
    if (i >= count) return;
    grad_theta[grad_theta_offset + i] += 2.0f * alpha * theta[theta_offset + i] * grad_variance[grad_variance_offset + i];
}
