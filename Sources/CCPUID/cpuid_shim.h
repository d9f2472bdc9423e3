// CPUID and XGETBV for choosing OpenBLAS's kernels (Sources/VDrop/Backend/CPU/CPUFeatures.swift).
// Swift has no inline assembly, so the two instructions live here as static inline functions;
// <cpuid.h> is the compiler's own header. Nothing is linked: OpenBLAS itself is loaded at run time.
#ifndef VDROP_CPUID_SHIM_H
#define VDROP_CPUID_SHIM_H
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// Fills registers with EAX, EBX, ECX, EDX of CPUID(leaf, subleaf); returns 0 (and zeros) when
// the processor has no such leaf.
static inline int vdrop_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t registers[4]) {
    unsigned int a = 0, b = 0, c = 0, d = 0;
    int present = __get_cpuid_count(leaf, subleaf, &a, &b, &c, &d);
    registers[0] = a; registers[1] = b; registers[2] = c; registers[3] = d;
    return present;
}

// XCR0, the register states the operating system saves on a context switch (bits 1-2: SSE and
// AVX, bits 5-7: AVX-512). Only valid when CPUID.1:ECX.OSXSAVE (bit 27) is set; otherwise the
// instruction faults, so callers check that bit first.
static inline uint64_t vdrop_xgetbv0(void) {
    uint32_t low, high;
    __asm__ __volatile__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}
#endif

#endif
