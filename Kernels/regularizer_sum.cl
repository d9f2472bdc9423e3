#include "regularizers.clh"
#include "work_group_sum.clh"

// A deterministic two-level sum of R over all weights, no atomics:
// regularizer_sum_partial writes one partial sum per work-group, then
// regularizer_sum_final (one work-group) adds the partials in a fixed order.

// partial[g] = Σ_{i ≡ this item, strided by the global size} R(theta[i], log_sigma2[i]) summed over group g.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void regularizer_sum_partial(__global const float *theta, int theta_offset,
                             __global const float *log_sigma2, int log_sigma2_offset,
                             int count, int objective, float a, float b,
                             __global float *partial, int partial_offset) {
    __local float scratch[WG_SIZE];
    float sum = 0.0f;
    for (int i = get_global_id(0); i < count; i += get_global_size(0)) {
        sum += regularizer_evaluate(objective, a, b, theta[theta_offset + i], log_sigma2[log_sigma2_offset + i]).x;
    }
    float total = work_group_sum(scratch, sum);
    if (get_local_id(0) == 0) partial[partial_offset + get_group_id(0)] = total;
}

// out[0] = Σ_g partial[g] for g < groups.
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void regularizer_sum_final(__global const float *partial, int partial_offset, int groups, __global float *out, int out_offset) {
    __local float scratch[WG_SIZE];
    float sum = 0.0f;
    for (int i = get_local_id(0); i < groups; i += WG_SIZE) sum += partial[partial_offset + i];
    float total = work_group_sum(scratch, sum);
    if (get_local_id(0) == 0) out[out_offset] = total;
}
