// The inner loop of the sparse inference products (Sources/VDrop/Backend/CPU/CPUBackend+Inference.swift)
// in AVX2 + FMA, compiled for those instructions whatever the rest of the build targets: Swift has
// no per-function target attribute, and without one its SIMD8<Float> runs as two 4-lane SSE halves
// with a separate multiply and add, a quarter of what OpenBLAS's GEMM gets from the same core, which
// ate the sparse path's whole advantage on LeNet-5's convolutions. Callers check CPUFeatures first.
#ifndef VDROP_VECTOR_LOOPS_H
#define VDROP_VECTOR_LOOPS_H

#if defined(__x86_64__)
#include <immintrin.h>

// y[i] += a·x[i] for i < n, 16 then 8 lanes at a time with fused multiply-adds.
__attribute__((target("avx2,fma")))
static inline void vdrop_axpy_avx2(float a, const float *x, float *y, long n) {
    __m256 va = _mm256_set1_ps(a);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 y0 = _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 y1 = _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        _mm256_storeu_ps(y + i, y0);
        _mm256_storeu_ps(y + i + 8, y1);
    }
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i) y[i] += a * x[i];
}

// y[i] = bias + Σ_t weights[t]·x[offsets[t]·stride + i] for i < n: a sparse filter's taps over one
// output run (stride 1), or a CSR row over a feature-major batch (offsets: the columns, stride: the
// batch), kept in four registers across all taps (32 outputs at a time) and stored once, where an
// axpy per tap would load and store the outputs once per tap.
__attribute__((target("avx2,fma")))
static inline void vdrop_tap_sum_avx2(const float *x, const int *offsets, long stride, const float *weights, long taps,
                                      float bias, float *y, long n) {
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 a0 = _mm256_set1_ps(bias), a1 = a0, a2 = a0, a3 = a0;
        for (long t = 0; t < taps; ++t) {
            const float *p = x + offsets[t] * stride + i;
            __m256 w = _mm256_set1_ps(weights[t]);
            a0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p), a0);
            a1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 8), a1);
            a2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 16), a2);
            a3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 24), a3);
        }
        _mm256_storeu_ps(y + i, a0);
        _mm256_storeu_ps(y + i + 8, a1);
        _mm256_storeu_ps(y + i + 16, a2);
        _mm256_storeu_ps(y + i + 24, a3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_set1_ps(bias);
        for (long t = 0; t < taps; ++t) a = _mm256_fmadd_ps(_mm256_set1_ps(weights[t]), _mm256_loadu_ps(x + offsets[t] * stride + i), a);
        _mm256_storeu_ps(y + i, a);
    }
    for (; i < n; ++i) {
        float sum = bias;
        for (long t = 0; t < taps; ++t) sum += weights[t] * x[offsets[t] * stride + i];
        y[i] = sum;
    }
}
#endif

#endif
