// Internal to CByteScan: the per-ISA XXH3 entry points that stacksift_xxh3 chooses from.
#ifndef STACKSIFT_XXH3_VARIANTS_H
#define STACKSIFT_XXH3_VARIANTS_H
#include "include/byte_scan.h"
#if defined(__x86_64__)
uint64_t stacksift_xxh3_avx2(const void *p, size_t n);
#endif
#endif
