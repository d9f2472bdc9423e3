#include "regularizers.clh"

// One Adam step with the regularizer gradient fused in, over the whole arena
// [θ (W) | ℓ = log σ² (W) | plain (P)]; work item i < W updates θ_i and ℓ_i
// (one regularizer evaluation for both), item W + j updates plain parameter 2W + j.
// A seed batch launches it once over several arenas back to back: get_global_id(1) is the seed,
// whose arena starts 2W + P values after the previous one's.

// m = β1m + (1−β1)g, v = β2v + (1−β2)g² at index i; returns x − lr·(m/bc1)/(√(v/bc2) + ε).
inline float adam_step(float x, __global float *m, __global float *v, int i, float g,
                       float lr, float beta1, float beta2, float epsilon,
                       float bias_correction1, float bias_correction2) {
    float m_new = beta1 * m[i] + (1.0f - beta1) * g;
    float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = m_new;
    v[i] = v_new;
    return x - lr * (m_new / bias_correction1) / (sqrt(v_new / bias_correction2) + epsilon);
}

// adam_update: g_θ = grad[i] + w·∂R/∂θ; plain g = grad[2W+j]; and, only when train_log_sigma2,
// the variance through the trained q = ℓ/k (k = log_sigma2_per_trained: 2 for log σ, 1 for log σ²):
// g_q = k·(exp(ℓ)·grad[W+i] + w·∂R/∂ℓ). m = β1m + (1−β1)g, v = β2v + (1−β2)g², x −= lr·(m/bc1)/(√(v/bc2) + ε)
// with bc1 = 1−β1^t, bc2 = 1−β2^t; then ℓ = min(k·q, log_sigma2_max) (+∞ when unset).
__kernel void adam_update(__global float *p, int p_offset, __global const float *grad, int grad_offset,
                          __global float *m, int m_offset, __global float *v, int v_offset,
                          int weights, int plain, int objective, float a, float b, int train_log_sigma2,
                          float regularizer_weight, float lr, float beta1, float beta2, float epsilon,
                          float bias_correction1, float bias_correction2, float log_sigma2_max,
                          float log_sigma2_per_trained) {
    int i = get_global_id(0);
    if (i >= weights + plain) return;
    long seed_start = (long)get_global_id(1) * (2L * weights + plain);
    p += p_offset + seed_start; grad += grad_offset + seed_start;
    m += m_offset + seed_start; v += v_offset + seed_start;
    if (i >= weights) {
        int j = weights + i;  // 2W + (i − W)
        p[j] = adam_step(p[j], m, v, j, grad[j], lr, beta1, beta2, epsilon, bias_correction1, bias_correction2);
        return;
    }
    float theta = p[i];
    float ls = p[weights + i];
    float3 r = regularizer_evaluate(objective, a, b, theta, ls);
    float g_theta = grad[i] + regularizer_weight * r.y;
    p[i] = adam_step(theta, m, v, i, g_theta, lr, beta1, beta2, epsilon, bias_correction1, bias_correction2);
    if (train_log_sigma2 != 0) {
        // The layers wrote ∂L/∂σ²; ∂L/∂ℓ = σ²·∂L/∂σ² and ∂L/∂q = k·∂L/∂ℓ. Halving and doubling ℓ
        // are exact, so stepping q = ℓ/k here equals keeping q in the arena.
        float k = log_sigma2_per_trained;
        float g_q = k * (exp(ls) * grad[weights + i] + regularizer_weight * r.z);
        float q_new = adam_step(ls / k, m, v, weights + i, g_q, lr, beta1, beta2, epsilon,
                                bias_correction1, bias_correction2);
        p[weights + i] = fmin(k * q_new, log_sigma2_max);
    }
}
