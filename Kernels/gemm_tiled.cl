// vdrop's own SGEMM, for the products where CLBlast leaves the device idle or slow:
//   C = α·op(A)·op(B) + β·C, row-major, op(A) [m × k], op(B) [k × n], C [m × n].
// Stored operands: A is [m × k] (or [k × m] with TRANS_A), B is [k × n] (or [n × k] with
// TRANS_B); every leading dimension is the stored row length (k, m, n or k).
//
// Compile-time shape (a "configuration", see TiledGemmConfiguration in Swift):
//   TM × TN  the output tile of one work-group, TK the k values staged in local memory per step,
//   WM × WN  the outputs of one work item (WM, WN are 4 or 8), so the group is (TN/WN) × (TM/WM).
// A work item's outputs are WM/4 blocks of 4 rows spaced TM·4/WM apart and WN/4 blocks of 4
// columns spaced TN·4/WN apart: neighbouring work items then read neighbouring float4s of the
// staged tiles, which local memory serves without bank conflicts, and each k step costs
// (WM + WN)/4 vector loads for WM·WN multiply-adds (8×8: 4 loads per 64).
//
// Split-K: the k range is cut into `chunk`-sized slices along the launch's third dimension. With
// one slice the group writes C itself; with several it writes its raw sum into its own slice
// of `partial` and `gemm_split_k_reduce` adds the slices in a fixed order: no atomics, so the
// product is the same every run. CLBlast gives each output tile one work-group that walks all of
// k: LeNet-5's first weight gradient (20 × 25 outputs, k = 57 600) is one tile, and took 3.5 ms
// of an 8.2 ms step on an H200 whose 131 other compute units sat idle.
//
// Seeds: a seed batch computes the same product for each of its seeds in one launch, seed s's
// operands (and partial sums) `stride` floats after seed s − 1's; the third dimension then
// counts seeds × slices. Each seed's product is the one a launch of its own computes, bit for bit.
//
// The next tile's values are read from global memory into registers while the current one is
// multiplied, so the loads' latency hides behind the arithmetic.

#ifndef TM
#define TM 64
#endif
#ifndef TN
#define TN 64
#endif
#ifndef TK
#define TK 16
#endif
#ifndef WM
#define WM 4
#endif
#ifndef WN
#define WN 4
#endif
#ifndef TRANS_A
#define TRANS_A 0
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif

#define GX (TN / WN)                 // work items along n
#define GY (TM / WM)                 // work items along m
#define THREADS (GX * GY)
#define A_LOADS (TM * TK / THREADS)  // staged values per work item and step
#define B_LOADS (TN * TK / THREADS)
#define STRIDE_A (TM / 4 + 1)        // float4s per staged row: one spare keeps stores off one bank
#define STRIDE_B (TN / 4 + 1)
#define BLOCKS_M (WM / 4)
#define BLOCKS_N (WN / 4)
#define SPACING_M (TM / BLOCKS_M)    // rows between a work item's blocks
#define SPACING_N (TN / BLOCKS_N)

// The staged element `index` (0 ..< TM·TK) of A's tile as (row in tile, k in tile). Without
// TRANS_A consecutive work items read consecutive k of a row (A's contiguous direction), with it
// consecutive rows of a k.
inline int2 a_position(int index) {
#if TRANS_A
    return (int2)(index % TM, index / TM);
#else
    return (int2)(index / TK, index % TK);
#endif
}

// The same for B's tile as (column in tile, k in tile).
inline int2 b_position(int index) {
#if TRANS_B
    return (int2)(index / TK, index % TK);
#else
    return (int2)(index % TN, index / TN);
#endif
}

inline float load_a(__global const float *a, int m, int k, int k_end, int row, int kk) {
    if (row >= m || kk >= k_end) return 0.0f;
#if TRANS_A
    return a[kk * m + row];
#else
    return a[row * k + kk];
#endif
}

inline float load_b(__global const float *b, int n, int k, int k_end, int col, int kk) {
    if (col >= n || kk >= k_end) return 0.0f;
#if TRANS_B
    return b[col * k + kk];
#else
    return b[kk * n + col];
#endif
}

// gemm_tiled, launched over (⌈n/TN⌉·GX, ⌈m/TM⌉·GY, seeds·slices) in groups of GX × GY × 1.
// slices = 1: C = α·op(A)·op(B) + β·C (C not read when β = 0).
// slices > 1: partial[s][i][j] = Σ_{κ in slice s} op(A)[i][κ]·op(B)[κ][j], slice s = [s·chunk, (s+1)·chunk) ∩ [0, k).
__kernel __attribute__((reqd_work_group_size(GX, GY, 1)))
void gemm_tiled(__global const float *a, int a_offset, int a_stride, __global const float *b, int b_offset, int b_stride,
                __global float *c, int c_offset, int c_stride, __global float *partial, int partial_offset, int partial_stride,
                int m, int n, int k, int chunk, int slices, float alpha, float beta) {
    // Staged as float4 so the multiply loop's reads are 16-byte loads by type: through vload4 on
    // a float array the compiler may only assume 4-byte alignment and issue four loads.
    __local float4 a_tile[TK][STRIDE_A];
    __local float4 b_tile[TK][STRIDE_B];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int thread = ty * GX + tx;
    const int m0 = get_group_id(1) * TM, n0 = get_group_id(0) * TN;
    const int seed = get_group_id(2) / slices, slice = get_group_id(2) - seed * slices;
    const int k_begin = slice * chunk;
    const int k_end = min(k, k_begin + chunk);
    a += a_offset + (long)seed * a_stride;
    b += b_offset + (long)seed * b_stride;
    c += (long)seed * c_stride;
    partial += (long)seed * partial_stride;

    float a_next[A_LOADS], b_next[B_LOADS];
#pragma unroll
    for (int q = 0; q < A_LOADS; ++q) {
        const int2 p = a_position(thread + q * THREADS);
        a_next[q] = load_a(a, m, k, k_end, m0 + p.x, k_begin + p.y);
    }
#pragma unroll
    for (int q = 0; q < B_LOADS; ++q) {
        const int2 p = b_position(thread + q * THREADS);
        b_next[q] = load_b(b, n, k, k_end, n0 + p.x, k_begin + p.y);
    }

    float4 acc[WM][BLOCKS_N];
#pragma unroll
    for (int i = 0; i < WM; ++i)
#pragma unroll
        for (int j = 0; j < BLOCKS_N; ++j) acc[i][j] = (float4)(0.0f);

    for (int k0 = k_begin; k0 < k_end; k0 += TK) {
#pragma unroll
        for (int q = 0; q < A_LOADS; ++q) {
            const int2 p = a_position(thread + q * THREADS);
            ((__local float *)a_tile[p.y])[p.x] = a_next[q];
        }
#pragma unroll
        for (int q = 0; q < B_LOADS; ++q) {
            const int2 p = b_position(thread + q * THREADS);
            ((__local float *)b_tile[p.y])[p.x] = b_next[q];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int k1 = k0 + TK;
        if (k1 < k_end) {
#pragma unroll
            for (int q = 0; q < A_LOADS; ++q) {
                const int2 p = a_position(thread + q * THREADS);
                a_next[q] = load_a(a, m, k, k_end, m0 + p.x, k1 + p.y);
            }
#pragma unroll
            for (int q = 0; q < B_LOADS; ++q) {
                const int2 p = b_position(thread + q * THREADS);
                b_next[q] = load_b(b, n, k, k_end, n0 + p.x, k1 + p.y);
            }
        }
#pragma unroll
        for (int kk = 0; kk < TK; ++kk) {
            float4 av[BLOCKS_M], bv[BLOCKS_N];
#pragma unroll
            for (int g = 0; g < BLOCKS_M; ++g) av[g] = a_tile[kk][g * (SPACING_M / 4) + ty];
#pragma unroll
            for (int h = 0; h < BLOCKS_N; ++h) bv[h] = b_tile[kk][h * (SPACING_N / 4) + tx];
#pragma unroll
            for (int g = 0; g < BLOCKS_M; ++g) {
#pragma unroll
                for (int h = 0; h < BLOCKS_N; ++h) {
                    acc[4 * g + 0][h] = mad((float4)(av[g].x), bv[h], acc[4 * g + 0][h]);
                    acc[4 * g + 1][h] = mad((float4)(av[g].y), bv[h], acc[4 * g + 1][h]);
                    acc[4 * g + 2][h] = mad((float4)(av[g].z), bv[h], acc[4 * g + 2][h]);
                    acc[4 * g + 3][h] = mad((float4)(av[g].w), bv[h], acc[4 * g + 3][h]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    __global float *out = slices > 1 ? partial + partial_offset + (long)slice * m * n : c + c_offset;
#pragma unroll
    for (int g = 0; g < BLOCKS_M; ++g) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const int row = m0 + g * SPACING_M + 4 * ty + i;
            if (row >= m) continue;
#pragma unroll
            for (int h = 0; h < BLOCKS_N; ++h) {
                const int col = n0 + h * SPACING_N + 4 * tx;
                const float values[4] = {acc[4 * g + i][h].x, acc[4 * g + i][h].y, acc[4 * g + i][h].z, acc[4 * g + i][h].w};
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    if (col + j >= n) break;
                    const long index = (long)row * n + col + j;
                    if (slices > 1) out[index] = values[j];
                    else out[index] = beta != 0.0f ? alpha * values[j] + beta * out[index] : alpha * values[j];
                }
            }
        }
    }
}

// gemm_split_k_reduce: C[i] = α·Σ_s partial[s][i] (s = 0, 1, … in order) + β·C[i]; C is not read when β = 0.
// The grid's second dimension is the seed (partial and C of seed s a stride after seed s − 1's).
__kernel void gemm_split_k_reduce(__global const float *partial, int partial_offset, int partial_stride, int slices, int count,
                                  float alpha, float beta, __global float *c, int c_offset, int c_stride) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const long seed = get_global_id(1);
    partial += partial_offset + seed * partial_stride;
    c += seed * c_stride;
    float sum = 0.0f;
    for (int s = 0; s < slices; ++s) sum += partial[(long)s * count + i];
    float value = alpha * sum;
    if (beta != 0.0f) value += beta * c[c_offset + i];
    c[c_offset + i] = value;
}
