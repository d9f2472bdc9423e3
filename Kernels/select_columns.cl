// select_columns: out = input[b, s(j)] for b < rows, j < selected, with s(j) = selection[j]
// (int32) when use_selection, else j; written at [b, j], or at [j, b] when transposed.
// A compact network's input gather, and the switch to the feature-major layout of the
// CSR products (csr_dense.cl), in one pass.
__kernel void select_columns(__global const float *input, int input_offset,
                             __global const int *selection, int selection_offset, int use_selection,
                             __global float *output, int output_offset,
                             int rows, int columns, int selected, int transposed) {
    int i = get_global_id(0);
    if (i >= rows * selected) return;
    int b = i / selected, j = i - b * selected;
    int source = use_selection ? selection[selection_offset + j] : j;
    output[output_offset + (transposed ? j * rows + b : i)] = input[input_offset + b * columns + source];
}
