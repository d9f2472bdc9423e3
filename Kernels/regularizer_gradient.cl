#include "regularizers.clh"

// regularizer_gradient_add: grad_theta[i] += scale·∂R/∂θ, grad_log_sigma2[i] += scale·∂R/∂ℓ
// at (theta[i], log_sigma2[i]), ℓ = log σ².
__kernel void regularizer_gradient_add(__global const float *theta, int theta_offset,
                                       __global const float *log_sigma2, int log_sigma2_offset,
                                       int count, int objective, float a, float b, float scale,
                                       __global float *grad_theta, int grad_theta_offset,
                                       __global float *grad_log_sigma2, int grad_log_sigma2_offset) {
    int i = get_global_id(0);
    if (i >= count) return;
    float3 r = regularizer_evaluate(objective, a, b, theta[theta_offset + i], log_sigma2[log_sigma2_offset + i]);
    grad_theta[grad_theta_offset + i] += scale * r.y;
    grad_log_sigma2[grad_log_sigma2_offset + i] += scale * r.z;
}
