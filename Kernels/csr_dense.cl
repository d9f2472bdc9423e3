// A dense layer whose weight W [rows, columns] is stored in CSR, for inference.
// Activations are feature-major ([features, batch]): the work items of one row o run along
// the batch, so neighbours read neighbouring x[col, b] and write neighbouring y[o, b].

// csr_dense_forward: y[o, b] = act(bias[o] + Σ_{j ∈ row o} values[j]·x[columns[j], b]),
// act = max(·, 0) when relu, else the identity. row_starts and columns are int32.
__kernel void csr_dense_forward(__global const int *row_starts, int row_starts_offset,
                                __global const int *columns, int columns_offset,
                                __global const float *values, int values_offset,
                                __global const float *bias, int bias_offset,
                                __global const float *x, int x_offset,
                                __global float *y, int y_offset, int rows, int batch, int relu) {
    int i = get_global_id(0);
    if (i >= rows * batch) return;
    int o = i / batch, b = i - o * batch;
    float sum = bias[bias_offset + o];
    int end = row_starts[row_starts_offset + o + 1];
    for (int j = row_starts[row_starts_offset + o]; j < end; ++j) {
        sum += values[values_offset + j] * x[x_offset + columns[columns_offset + j] * batch + b];
    }
    y[y_offset + i] = relu ? fmax(sum, 0.0f) : sum;
}
