// Byte-level kernels in C: the framer's per-line scan, static inline so the Swift code that
// calls it gets it inlined (SSE2 on every x86-64, plain C elsewhere; both give the same
// answers), and XXH3 built for AVX2 where the CPU has it (xxh3.c).
#ifndef STACKSIFT_BYTE_SCAN_H
#define STACKSIFT_BYTE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { STACKSIFT_SCAN_HIGH = 1, STACKSIFT_SCAN_NUL = 2, STACKSIFT_SCAN_BACKSLASH = 4 };

/// Offset of the first LF in p[0..<n], or -1. `odd` gets STACKSIFT_SCAN_HIGH when a byte
/// >= 0x80 comes before that LF (before the end when there is none), STACKSIFT_SCAN_NUL
/// when a NUL does, STACKSIFT_SCAN_BACKSLASH when a backslash does (the analyzer looks for a
/// trace escaped onto one line, `\n\tat `, only in lines that hold one).
static inline ptrdiff_t stacksift_scan_line(const uint8_t *p, size_t n, unsigned *odd) {
    size_t i = 0;
    unsigned seen = 0;
#if defined(__SSE2__)
    const __m128i lf = _mm_set1_epi8(0x0A);
    const __m128i zero = _mm_setzero_si128();
    const __m128i backslash = _mm_set1_epi8(0x5C);
    unsigned high = 0, nul = 0, bs = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        unsigned h = (unsigned)_mm_movemask_epi8(v);
        unsigned z = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        unsigned b = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash));
        if (m) {
            unsigned before = (m & (0u - m)) - 1u;
            high |= h & before;
            nul |= z & before;
            bs |= b & before;
            *odd = (high ? STACKSIFT_SCAN_HIGH : 0u) | (nul ? STACKSIFT_SCAN_NUL : 0u) |
                   (bs ? STACKSIFT_SCAN_BACKSLASH : 0u);
            return (ptrdiff_t)(i + (size_t)__builtin_ctz(m));
        }
        high |= h;
        nul |= z;
        bs |= b;
    }
    seen = (high ? STACKSIFT_SCAN_HIGH : 0u) | (nul ? STACKSIFT_SCAN_NUL : 0u) | (bs ? STACKSIFT_SCAN_BACKSLASH : 0u);
#endif
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == 0x0A) { *odd = seen; return (ptrdiff_t)i; }
        if (c >= 0x80) seen |= STACKSIFT_SCAN_HIGH;
        if (c == 0) seen |= STACKSIFT_SCAN_NUL;
        if (c == 0x5C) seen |= STACKSIFT_SCAN_BACKSLASH;
    }
    *odd = seen;
    return -1;
}

/// XXH3-64 (seed 0) of p[0..<n]: the same value as libxxhash's XXH3_64bits, with AVX2 on a
/// CPU that has it (the library is built without).
uint64_t stacksift_xxh3(const void *p, size_t n);
/// The same, never with AVX2 (tests compare the two).
uint64_t stacksift_xxh3_baseline(const void *p, size_t n);

#endif
