#include "regularizers.clh"

// One Adam step with the regularizer gradient fused in, over the whole arena
// [θ (W) | ℓ = log σ² (W) | plain (P)]; work item i < W updates θ_i and ℓ_i
// (one regularizer evaluation for both), item W + j updates plain parameter 2W + j.
inline float adam_step(__global float *p, __global float *m, __global float *v, int i, float g,
                       float lr, float beta1, float beta2, float epsilon,
                       float bias_correction1, float bias_correction2) {
    float m_new = beta1 * m[i] + (1.0f - beta1) * g;
    float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = m_new;
    v[i] = v_new;
    float p_new = p[i] - lr * (m_new / bias_correction1) / (sqrt(v_new / bias_correction2) + epsilon);
    p[i] = p_new;
    return p_new;
}

// adam_update: g_θ = grad[i] + w·∂R/∂θ; g_ℓ = exp(ℓ)·grad[W+i] + w·∂R/∂ℓ (only when train_log_sigma2);
// plain g = grad[2W+j]. m = β1m + (1−β1)g, v = β2v + (1−β2)g², p −= lr·(m/bc1)/(√(v/bc2) + ε)
// with bc1 = 1−β1^t, bc2 = 1−β2^t; then ℓ = min(ℓ, log_sigma2_max) (+∞ when unset).
__kernel void adam_update(__global float *p, int p_offset, __global const float *grad, int grad_offset,
                          __global float *m, int m_offset, __global float *v, int v_offset,
                          int weights, int plain, int objective, float a, float b, int train_log_sigma2,
                          float regularizer_weight, float lr, float beta1, float beta2, float epsilon,
                          float bias_correction1, float bias_correction2, float log_sigma2_max) {
    int i = get_global_id(0);
    if (i >= weights + plain) return;
    p += p_offset; grad += grad_offset; m += m_offset; v += v_offset;
    if (i >= weights) {
        int j = weights + i;  // 2W + (i − W)
        adam_step(p, m, v, j, grad[j], lr, beta1, beta2, epsilon, bias_correction1, bias_correction2);
        return;
    }
    float theta = p[i];
    float ls = p[weights + i];
    float3 r = regularizer_evaluate(objective, a, b, theta, ls);
    float g_theta = grad[i] + regularizer_weight * r.y;
    adam_step(p, m, v, i, g_theta, lr, beta1, beta2, epsilon, bias_correction1, bias_correction2);
    if (train_log_sigma2 != 0) {
        // The layers wrote ∂L/∂σ²; ∂L/∂ℓ = σ²·∂L/∂σ².
        float g_ls = exp(ls) * grad[weights + i] + regularizer_weight * r.z;
        float ls_new = adam_step(p, m, v, weights + i, g_ls, lr, beta1, beta2, epsilon,
                                 bias_correction1, bias_correction2);
        p[weights + i] = fmin(ls_new, log_sigma2_max);
    }
}
