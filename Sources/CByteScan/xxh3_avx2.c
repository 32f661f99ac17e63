// XXH3-64 compiled for AVX2 (see xxh3.c, which calls it only on a CPU that has AVX2).
#include "xxh3_variants.h"
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define XXH_INLINE_ALL
#define XXH_VECTOR XXH_AVX2
#include <xxhash.h>
#pragma clang attribute pop

uint64_t stacksift_xxh3_avx2(const void *p, size_t n) { return XXH3_64bits(p, n); }
#endif
