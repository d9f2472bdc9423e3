// 2×2 max-pooling with stride 2 over NCHW images; odd heights and widths drop
// their last row or column (PyTorch's floor). The window position 0…3 of the
// maximum (dy·2 + dx) is stored as a float so the backward pass needs no indices.

// max_pool_forward: out[p, oy, ox] = max over dy, dx ∈ {0,1} of in[p, 2oy+dy, 2ox+dx],
// argmax = dy·2 + dx of the first maximum (ties go to the lower position).
// One work item per output element; p runs over batch × channels planes.
__kernel void max_pool_forward(__global const float *input, int input_offset,
                               __global float *output, int output_offset,
                               __global float *argmax, int argmax_offset,
                               int planes, int height, int width) {
    int outHeight = height / 2, outWidth = width / 2;
    int i = get_global_id(0);
    if (i >= planes * outHeight * outWidth) return;
    int ox = i % outWidth;
    int oy = (i / outWidth) % outHeight;
    int p = i / (outWidth * outHeight);
    __global const float *window = input + input_offset + (p * height + 2 * oy) * width + 2 * ox;
    float best = window[0];
    int position = 0;
    // Strictly greater keeps the first of equal values.
    if (window[1] > best) { best = window[1]; position = 1; }
    if (window[width] > best) { best = window[width]; position = 2; }
    if (window[width + 1] > best) { best = window[width + 1]; position = 3; }
    output[output_offset + i] = best;
    argmax[argmax_offset + i] = (float)position;
}

// max_pool_backward: grad_in[p, y, x] = grad_out[p, y/2, x/2] if argmax there is (y%2)·2 + x%2,
// else 0 (also 0 in a dropped odd row or column). One work item per input element
// gathers from its window, so every input is written once and no atomics are needed.
__kernel void max_pool_backward(__global const float *grad_output, int grad_output_offset,
                                __global const float *argmax, int argmax_offset,
                                __global float *grad_input, int grad_input_offset,
                                int planes, int height, int width) {
    int outHeight = height / 2, outWidth = width / 2;
    int i = get_global_id(0);
    if (i >= planes * height * width) return;
    int x = i % width;
    int y = (i / width) % height;
    int p = i / (width * height);
    int oy = y / 2, ox = x / 2;
    float gradient = 0.0f;
    if (oy < outHeight && ox < outWidth) {
        int o = (p * outHeight + oy) * outWidth + ox;
        if ((int)argmax[argmax_offset + o] == (y & 1) * 2 + (x & 1)) gradient = grad_output[grad_output_offset + o];
    }
    grad_input[grad_input_offset + i] = gradient;
}
