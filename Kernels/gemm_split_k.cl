// A GEMM for products with a small output and a long inner dimension: C = αA·Bᵀ + βC with A
// [m × k] and B [n × k] row-major (leading dimension k) and C [m × n] row-major. These are the
// conv layers' weight gradients (k = batch × output positions). CLBlast gives such a product one
// work-group per output tile and walks all of k in it: LeNet-5's first conv (20 × 25 outputs,
// k = 57 600) is one tile and took 3.5 ms of an 8.2 ms step on an H200, whose 132
// multiprocessors sat idle but one. Here the k range is cut into `slices` chunks, each work-group
// computes one 64 × 64 tile over one chunk into its own slice of `partial`, and a second launch
// adds the slices in a fixed order: no atomics, so the sum is the same every run. On an H200 it
// ran VGG-like's weight gradients at 14–17 TFLOP/s; SplitKPlan says which products it gets.

#define TILE 64   // output tile side
#define TK 16     // k values staged in local memory per step
#define GROUP 16  // the work-group is GROUP × GROUP; each work item computes 4 × 4 outputs
#define STRIDE (TILE + 4)  // local rows stay 16-byte aligned for vload4

// gemm_nt_split_k: partial[s][i][j] = Σ_{κ in chunk s} A[i][κ]·B[j][κ], chunk s = [s·chunk, (s+1)·chunk) ∩ [0, k).
// Launched over (⌈n/64⌉·16, ⌈m/64⌉·16, slices) in groups of 16 × 16 × 1. Work item (x, y) computes
// rows 4y…4y+3 and columns 4x…4x+3 of its tile, reading each k's four A and four B values with
// one vector load apiece: 2 local loads per 16 multiply-adds.
__kernel __attribute__((reqd_work_group_size(GROUP, GROUP, 1)))
void gemm_nt_split_k(__global const float *a, int a_offset, __global const float *b, int b_offset,
                     __global float *partial, int partial_offset, int m, int n, int k, int chunk) {
    // Stored k-major, so a k's 64 rows (or columns) are contiguous.
    __local float a_tile[TK][STRIDE];
    __local float b_tile[TK][STRIDE];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int thread = ty * GROUP + tx;
    const int m0 = get_group_id(1) * TILE, n0 = get_group_id(0) * TILE;
    const int slice = get_group_id(2);
    const int k_begin = slice * chunk;
    const int k_end = min(k, k_begin + chunk);
    a += a_offset;
    b += b_offset;

    float4 acc[4] = {(float4)(0.0f), (float4)(0.0f), (float4)(0.0f), (float4)(0.0f)};
    for (int k0 = k_begin; k0 < k_end; k0 += TK) {
        // 64 rows × 16 k of each operand, 4 values per work item; neighbours read neighbouring k.
        for (int q = 0; q < 4; ++q) {
            const int index = thread + q * GROUP * GROUP;
            const int row = index / TK, col = index % TK;
            const int kk = k0 + col;
            const int am = m0 + row, bn = n0 + row;
            a_tile[col][row] = (am < m && kk < k_end) ? a[(long)am * k + kk] : 0.0f;
            b_tile[col][row] = (bn < n && kk < k_end) ? b[(long)bn * k + kk] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; ++kk) {
            const float4 av = vload4(ty, a_tile[kk]);
            const float4 bv = vload4(tx, b_tile[kk]);
            acc[0] = mad((float4)(av.x), bv, acc[0]);
            acc[1] = mad((float4)(av.y), bv, acc[1]);
            acc[2] = mad((float4)(av.z), bv, acc[2]);
            acc[3] = mad((float4)(av.w), bv, acc[3]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    partial += partial_offset + (long)slice * m * n;
    const int col = n0 + 4 * tx;
    for (int i = 0; i < 4; ++i) {
        const int row = m0 + 4 * ty + i;
        if (row >= m) break;
        const float values[4] = {acc[i].x, acc[i].y, acc[i].z, acc[i].w};
        for (int j = 0; j < 4 && col + j < n; ++j) partial[(long)row * n + col + j] = values[j];
    }
}

// gemm_split_k_reduce: C[i] = α·Σ_s partial[s][i] (s = 0, 1, … in order) + β·C[i]; C is not read when β = 0.
__kernel void gemm_split_k_reduce(__global const float *partial, int partial_offset, int slices, int count,
                                  float alpha, float beta, __global float *c, int c_offset) {
    const int i = get_global_id(0);
    if (i >= count) return;
    partial += partial_offset;
    float sum = 0.0f;
    for (int s = 0; s < slices; ++s) sum += partial[(long)s * count + i];
    float value = alpha * sum;
    if (beta != 0.0f) value += beta * c[c_offset + i];
    c[c_offset + i] = value;
}
