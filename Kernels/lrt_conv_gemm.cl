// The two products of a conv layer with local reparameterization in one launch. They share their
// column operand, so the group stages each column tile once and squares it in registers:
//   C1 = A1 · op(B),   C2 = A2 · (op(B) ⊙ op(B))   (C2 only with DUAL)
// where B = columns [P × N] is the unfolded input (P = C·K·K patch rows p = (c·K + ky)·K + kx,
// N = batch·Ho·Wo positions q = b·Ho·Wo + oy·Wo + ox), A1 and A2 are row-major [m × k]:
//   forward (TRANS_B 0):         A1 = θ, A2 = σ² [O × P]:  C1 = θ·B = mean, C2 = σ²·(B⊙B) = variance
//   weight gradient (TRANS_B 1): A1 = g', A2 = gv' [O × N]: C1 = g'·Bᵀ = ∂θ, C2 = gv'·(B⊙B)ᵀ = ∂σ²
// The variance product's operand is the unfolded x⊙x, and unfolding commutes with squaring, so
// (B⊙B)[p, q] = B[p, q]², the same float the im2col path writes to its squares buffer.
//
// IMPLICIT: B is never stored; a tile load reads B[p, q] = x[b, c, oy + ky − pad, ox + kx − pad]
// (0 outside the image) straight from the input x, whose image b and channel c start at
// b·batch_stride + c·channel_stride (NCHW: C·H·W and H·W; the [C, B, H, W] rows of an output
// gradient, which the input gradient convolves: H·W and B·H·W). Each work item's staged column (a
// position in the forward product, a patch row in the weight gradient) is the same at every k
// step, so its half of the index arithmetic is done once, before the loop.
//
// Tiles, work items, split-K and the register prefetch are those of gemm_tiled.cl (see there);
// the group stages A1's and A2's tiles and one B tile. With one slice C1 and C2 are written;
// with several, each slice's raw sums go to partial[s] (C1) and partial[slices + s] (C2), each
// m·n long, and gemm_split_k_reduce (gemm_tiled.cl) adds them in a fixed order.

#ifndef KSIZE
#error "KSIZE (the convolution's kernel size) must be given with -D"
#endif
#ifndef TM
#define TM 64
#endif
#ifndef TN
#define TN 128
#endif
#ifndef TK
#define TK 16
#endif
#ifndef WM
#define WM 4
#endif
#ifndef WN
#define WN 8
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif
#ifndef IMPLICIT
#define IMPLICIT 0
#endif
#ifndef DUAL
#define DUAL 1
#endif

#define GX (TN / WN)
#define GY (TM / WM)
#define THREADS (GX * GY)
#define A_LOADS (TM * TK / THREADS)
#define B_LOADS (TN * TK / THREADS)
#define STRIDE_A (TM / 4 + 1)
#define STRIDE_B (TN / 4 + 1)
#define BLOCKS_M (WM / 4)
#define BLOCKS_N (WN / 4)
#define SPACING_M (TM / BLOCKS_M)
#define SPACING_N (TN / BLOCKS_N)
#define TAPS (KSIZE * KSIZE)

// The geometry of an implicit column operand.
typedef struct {
    int channels, height, width, padding, out_width, plane, batch_stride, channel_stride;
} conv_shape;

// Where position q's window starts: (offset of its top-left tap in x, which may lie outside
// the image, top row, left column).
inline int3 window_of(int q, conv_shape g) {
    int b = q / g.plane, s = q - b * g.plane;
    int oy = s / g.out_width, ox = s - oy * g.out_width;
    int y0 = oy - g.padding, x0 = ox - g.padding;
    return (int3)(b * g.batch_stride + y0 * g.width + x0, y0, x0);
}

// Patch row p as (offset from a window's top-left in x, ky, kx).
inline int3 tap_of(int p, conv_shape g) {
    int c = p / TAPS, r = p - c * TAPS;
    int ky = r / KSIZE, kx = r - ky * KSIZE;
    return (int3)(c * g.channel_stride + ky * g.width + kx, ky, kx);
}

inline float tap_value(__global const float *x, int3 window, int3 tap, conv_shape g) {
    int y = window.y + tap.y, x_ = window.z + tap.z;
    return (y >= 0 && y < g.height && x_ >= 0 && x_ < g.width) ? x[window.x + tap.x] : 0.0f;
}

// Staged element `index` of A's tile as (row in tile, k in tile); consecutive work items read
// consecutive k of a row, A's contiguous direction.
inline int2 a_position(int index) { return (int2)(index / TK, index % TK); }

// Staged element `index` of op(B)'s tile as (column in tile, k in tile): consecutive work items
// take consecutive positions q (B's contiguous direction, and neighbouring pixels of x).
inline int2 b_position(int index) {
#if TRANS_B
    return (int2)(index / TK, index % TK);
#else
    return (int2)(index % TN, index / TN);
#endif
}

inline float load_a(__global const float *a, int m, int k, int k_end, int row, int kk) {
    return (row >= m || kk >= k_end) ? 0.0f : a[row * k + kk];
}

// op(B)[kk, col]. `fixed` is the staged column's own half of the index (IMPLICIT only).
inline float load_b(__global const float *b, __global const float *x, int3 fixed, conv_shape g,
                    int n, int k, int k_end, int col, int kk) {
    if (col >= n || kk >= k_end) return 0.0f;
#if IMPLICIT
#if TRANS_B
    return tap_value(x, window_of(kk, g), fixed, g);
#else
    return tap_value(x, fixed, tap_of(kk, g), g);
#endif
#else
#if TRANS_B
    return b[col * k + kk];
#else
    return b[kk * n + col];
#endif
#endif
}

// lrt_conv_gemm, launched over (⌈n/TN⌉·GX, ⌈m/TM⌉·GY, slices) in groups of GX × GY × 1:
//   slices = 1: c1 = A1·op(B), c2 = A2·(op(B)⊙op(B))
//   slices > 1: partial[s] and partial[slices + s] the same over k ∈ [s·chunk, (s+1)·chunk) ∩ [0, k)
// With IMPLICIT, b is not read (x and the geometry are); without, x is not read.
__kernel __attribute__((reqd_work_group_size(GX, GY, 1)))
void lrt_conv_gemm(__global const float *a1, int a1_offset, __global const float *a2, int a2_offset,
                   __global const float *b, int b_offset, __global const float *x, int x_offset,
                   __global float *c1, int c1_offset, __global float *c2, int c2_offset,
                   __global float *partial, int partial_offset, int m, int n, int k, int chunk,
                   int channels, int height, int width, int padding, int out_width, int plane,
                   int batch_stride, int channel_stride) {
    __local float4 a1_tile[TK][STRIDE_A];
#if DUAL
    __local float4 a2_tile[TK][STRIDE_A];
#endif
    __local float4 b_tile[TK][STRIDE_B];
    const conv_shape g = {channels, height, width, padding, out_width, plane, batch_stride, channel_stride};
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int thread = ty * GX + tx;
    const int m0 = get_group_id(1) * TM, n0 = get_group_id(0) * TN;
    const int slice = get_group_id(2), slices = get_num_groups(2);
    const int k_begin = slice * chunk;
    const int k_end = min(k, k_begin + chunk);
    a1 += a1_offset;
    a2 += a2_offset;
    b += b_offset;
    x += x_offset;

    int3 fixed[B_LOADS];
#pragma unroll
    for (int q = 0; q < B_LOADS; ++q) {
        const int col = n0 + b_position(thread + q * THREADS).x;
#if IMPLICIT && TRANS_B
        fixed[q] = tap_of(min(col, n - 1), g);
#elif IMPLICIT
        fixed[q] = window_of(min(col, n - 1), g);
#else
        fixed[q] = (int3)(0);
#endif
    }

    float a1_next[A_LOADS], b_next[B_LOADS];
#if DUAL
    float a2_next[A_LOADS];
#endif
#pragma unroll
    for (int q = 0; q < A_LOADS; ++q) {
        const int2 p = a_position(thread + q * THREADS);
        a1_next[q] = load_a(a1, m, k, k_end, m0 + p.x, k_begin + p.y);
#if DUAL
        a2_next[q] = load_a(a2, m, k, k_end, m0 + p.x, k_begin + p.y);
#endif
    }
#pragma unroll
    for (int q = 0; q < B_LOADS; ++q) {
        const int2 p = b_position(thread + q * THREADS);
        b_next[q] = load_b(b, x, fixed[q], g, n, k, k_end, n0 + p.x, k_begin + p.y);
    }

    float4 acc1[WM][BLOCKS_N];
#if DUAL
    float4 acc2[WM][BLOCKS_N];
#endif
#pragma unroll
    for (int i = 0; i < WM; ++i)
#pragma unroll
        for (int j = 0; j < BLOCKS_N; ++j) {
            acc1[i][j] = (float4)(0.0f);
#if DUAL
            acc2[i][j] = (float4)(0.0f);
#endif
        }

    for (int k0 = k_begin; k0 < k_end; k0 += TK) {
#pragma unroll
        for (int q = 0; q < A_LOADS; ++q) {
            const int2 p = a_position(thread + q * THREADS);
            ((__local float *)a1_tile[p.y])[p.x] = a1_next[q];
#if DUAL
            ((__local float *)a2_tile[p.y])[p.x] = a2_next[q];
#endif
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
                a1_next[q] = load_a(a1, m, k, k_end, m0 + p.x, k1 + p.y);
#if DUAL
                a2_next[q] = load_a(a2, m, k, k_end, m0 + p.x, k1 + p.y);
#endif
            }
#pragma unroll
            for (int q = 0; q < B_LOADS; ++q) {
                const int2 p = b_position(thread + q * THREADS);
                b_next[q] = load_b(b, x, fixed[q], g, n, k, k_end, n0 + p.x, k1 + p.y);
            }
        }
#pragma unroll
        for (int kk = 0; kk < TK; ++kk) {
            float4 av[BLOCKS_M], bv[BLOCKS_N];
#pragma unroll
            for (int gm = 0; gm < BLOCKS_M; ++gm) av[gm] = a1_tile[kk][gm * (SPACING_M / 4) + ty];
#pragma unroll
            for (int h = 0; h < BLOCKS_N; ++h) bv[h] = b_tile[kk][h * (SPACING_N / 4) + tx];
#pragma unroll
            for (int gm = 0; gm < BLOCKS_M; ++gm) {
#pragma unroll
                for (int h = 0; h < BLOCKS_N; ++h) {
                    acc1[4 * gm + 0][h] = mad((float4)(av[gm].x), bv[h], acc1[4 * gm + 0][h]);
                    acc1[4 * gm + 1][h] = mad((float4)(av[gm].y), bv[h], acc1[4 * gm + 1][h]);
                    acc1[4 * gm + 2][h] = mad((float4)(av[gm].z), bv[h], acc1[4 * gm + 2][h]);
                    acc1[4 * gm + 3][h] = mad((float4)(av[gm].w), bv[h], acc1[4 * gm + 3][h]);
                }
            }
#if DUAL
#pragma unroll
            for (int gm = 0; gm < BLOCKS_M; ++gm) av[gm] = a2_tile[kk][gm * (SPACING_M / 4) + ty];
#pragma unroll
            for (int h = 0; h < BLOCKS_N; ++h) bv[h] *= bv[h];
#pragma unroll
            for (int gm = 0; gm < BLOCKS_M; ++gm) {
#pragma unroll
                for (int h = 0; h < BLOCKS_N; ++h) {
                    acc2[4 * gm + 0][h] = mad((float4)(av[gm].x), bv[h], acc2[4 * gm + 0][h]);
                    acc2[4 * gm + 1][h] = mad((float4)(av[gm].y), bv[h], acc2[4 * gm + 1][h]);
                    acc2[4 * gm + 2][h] = mad((float4)(av[gm].z), bv[h], acc2[4 * gm + 2][h]);
                    acc2[4 * gm + 3][h] = mad((float4)(av[gm].w), bv[h], acc2[4 * gm + 3][h]);
                }
            }
#endif
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    const long count = (long)m * n;
    __global float *out1 = slices > 1 ? partial + partial_offset + slice * count : c1 + c1_offset;
#if DUAL
    __global float *out2 = slices > 1 ? partial + partial_offset + (slices + slice) * count : c2 + c2_offset;
#endif
#pragma unroll
    for (int gm = 0; gm < BLOCKS_M; ++gm) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const int row = m0 + gm * SPACING_M + 4 * ty + i;
            if (row >= m) continue;
#pragma unroll
            for (int h = 0; h < BLOCKS_N; ++h) {
                const int col = n0 + h * SPACING_N + 4 * tx;
                const float first[4] = {acc1[4 * gm + i][h].x, acc1[4 * gm + i][h].y, acc1[4 * gm + i][h].z, acc1[4 * gm + i][h].w};
#if DUAL
                const float second[4] = {acc2[4 * gm + i][h].x, acc2[4 * gm + i][h].y, acc2[4 * gm + i][h].z, acc2[4 * gm + i][h].w};
#endif
#pragma unroll
                for (int j = 0; j < 4; ++j) {
                    if (col + j >= n) break;
                    const long index = (long)row * n + col + j;
                    out1[index] = first[j];
#if DUAL
                    out2[index] = second[j];
#endif
                }
            }
        }
    }
}
