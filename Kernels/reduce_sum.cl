// A deterministic sum in two launches. reduce_sum_partials runs G groups of
// WG_SIZE work items over n values: work item t of the G·WG_SIZE adds
// x[t], x[t + G·WG_SIZE], … in order, then each group adds its WG_SIZE partials
// with a local-memory tree and writes partial[group]. reduce_sum_partials with
// G = 1 over those partials gives the total. For a given n and G the order of
// every addition is fixed, so repeated runs give the same bits; no atomics.
// WG_SIZE must be a power of two and is the launch's local size.

#include "work_group_sum.clh"

// reduce_sum_partials: out[group] = Σ_{t in group} Σ_{i ≡ t mod G·WG_SIZE} x[i].
__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))
void reduce_sum_partials(__global const float *input, int input_offset, int count,
                         __global float *output, int output_offset) {
    __local float scratch[WG_SIZE];
    int stride = get_global_size(0);
    float partial = 0.0f;
    for (int i = get_global_id(0); i < count; i += stride) partial += input[input_offset + i];
    float total = work_group_sum(scratch, partial);
    if (get_local_id(0) == 0) output[output_offset + get_group_id(0)] = total;
}
