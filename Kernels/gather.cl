// gather_rows: output[b, j] = source[indices[start + b], j], one work item per output value.
// Batches are gathered on the device from the shuffled index, so no data crosses the bus per step.
// A seed batch gathers every seed's batch in one launch: get_global_id(1) is the seed, whose
// index (its own shuffle) and output lie a stride after the previous seed's; the source is shared.
__kernel void gather_rows(__global const float *source, int source_offset,
                          __global const float *indices, int indices_offset, int indices_stride, int start,
                          __global float *output, int output_offset, int output_stride, int rows, int row_size) {
    int i = get_global_id(0);
    if (i >= rows * row_size) return;
    long seed = get_global_id(1);
    indices += seed * indices_stride;
    output += seed * output_stride;
    int b = i / row_size, j = i - b * row_size;
    int sample = (int)indices[indices_offset + start + b];
    output[output_offset + i] = source[source_offset + sample * row_size + j];
}

// gather_normalized_bytes: output[b, j] = byte[sample, j]·norm[c] + norm[C + c], sample =
// indices[start + b], c = (j / channel_size) mod C. The data set stays bytes on the device
// (a quarter of its Float32 size) and is normalized per channel as batches are gathered.
__kernel void gather_normalized_bytes(__global const uchar *source, int source_byte_offset,
                                      __global const float *indices, int indices_offset, int indices_stride, int start,
                                      __global const float *norm, int norm_offset, int channels, int channel_size,
                                      __global float *output, int output_offset, int output_stride, int rows, int row_size) {
    int i = get_global_id(0);
    if (i >= rows * row_size) return;
    long seed = get_global_id(1);
    indices += seed * indices_stride;
    output += seed * output_stride;
    int b = i / row_size, j = i - b * row_size;
    int sample = (int)indices[indices_offset + start + b];
    int c = (j / channel_size) % channels;
    float byte = (float)source[source_byte_offset + sample * row_size + j];
    output[output_offset + i] = byte * norm[norm_offset + c] + norm[norm_offset + channels + c];
}
