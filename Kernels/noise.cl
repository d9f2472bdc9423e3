#include "philox.clh"

// noise_normals: out[i] = ε of element (start + i) of the stream (seed, step, stream).
// Used by the tests to check the device's Philox against the host's. It ships (10 lines) so
// that the check runs on the very philox.clh the training kernels include, compiled by the
// same program cache, on whatever device the tests are pointed at (VDROP_TEST_DEVICE).
__kernel void noise_normals(__global float *out, int out_offset, int count, int start,
                            uint2 seed, uint2 step, uint stream) {
    int i = get_global_id(0);
    if (i >= count) return;
    out[out_offset + i] = philox_normal(seed, step, stream, (uint)(start + i));
}
