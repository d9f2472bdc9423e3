// ReLU, elementwise. Both kernels may run in place (output == input, or
// grad_input == grad_output): each work item reads and writes one index only.

// relu_forward: out[i] = max(in[i], 0).
__kernel void relu_forward(__global const float *input, int input_offset,
                           __global float *output, int output_offset, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    output[output_offset + i] = fmax(input[input_offset + i], 0.0f);
}

// relu_backward: grad_in[i] = grad_out[i] if out[i] > 0, else 0.
__kernel void relu_backward(__global const float *output, int output_offset,
                            __global const float *grad_output, int grad_output_offset,
                            __global float *grad_input, int grad_input_offset, int count) {
    int i = get_global_id(0);
    if (i >= count) return;
    grad_input[grad_input_offset + i] = output[output_offset + i] > 0.0f ? grad_output[grad_output_offset + i] : 0.0f;
}
