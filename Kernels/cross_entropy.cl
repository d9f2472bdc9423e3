// Softmax cross-entropy over logits [B, K], one work item per row b, label y_b
// stored as a float class index. With m = max_k z_k (subtracted so exp cannot overflow):
//   row_loss_b    = (m − z_y) + log Σ_k exp(z_k − m)
//   row_correct_b = 1 if the first k with z_k = m is y, else 0
//   grad_b,k      = grad_scale·(exp(z_k − m)/Σ − [k = y])      (only when has_grad)
// A label outside 0…K−1 gives a NaN loss (visible, never an out-of-bounds read).
// A seed batch runs every seed's loss in one launch: get_global_id(1) is the seed, whose
// tensors lie a stride after the previous seed's (the strides are 0 for one network).
__kernel void cross_entropy_forward_backward(__global const float *logits, int logits_offset, int logits_stride,
                                             __global const float *labels, int labels_offset, int labels_stride,
                                             __global float *grad_logits, int grad_logits_offset, int grad_logits_stride,
                                             int has_grad,
                                             __global float *row_loss, int row_loss_offset, int row_loss_stride,
                                             __global float *row_correct, int row_correct_offset, int row_correct_stride,
                                             int rows, int classes, float grad_scale) {
    int b = get_global_id(0);
    if (b >= rows) return;
    long seed = get_global_id(1);
    logits += seed * logits_stride;
    labels += seed * labels_stride;
    grad_logits += seed * grad_logits_stride;
    row_loss += seed * row_loss_stride;
    row_correct += seed * row_correct_stride;
    __global const float *z = logits + logits_offset + b * classes;
    float labelValue = labels[labels_offset + b];
    // Checked as a float first: converting NaN or a huge value to int is undefined.
    bool valid = labelValue >= 0.0f && labelValue < (float)classes;
    int label = valid ? (int)labelValue : -1;

    float m = z[0];
    int first = 0;
    for (int k = 1; k < classes; ++k) {
        if (z[k] > m) { m = z[k]; first = k; }
    }
    float total = 0.0f;
    for (int k = 0; k < classes; ++k) total += exp(z[k] - m);

    // m − z_y first: it is rounded relative to the loss itself (exact when z_y ≥ m/2), not to m,
    // so rows of large logits (m ≈ 200) keep the loss's precision.
    row_loss[row_loss_offset + b] = valid ? (m - z[label]) + log(total) : NAN;
    row_correct[row_correct_offset + b] = valid && first == label ? 1.0f : 0.0f;
    if (has_grad) {
        __global float *grad = grad_logits + grad_logits_offset + b * classes;
        float inverse = 1.0f / total;
        for (int k = 0; k < classes; ++k) {
            grad[k] = grad_scale * (exp(z[k] - m) * inverse - (k == label ? 1.0f : 0.0f));
        }
    }
}
