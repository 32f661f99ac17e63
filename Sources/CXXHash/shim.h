#ifndef STACKSIFT_CXXHASH_SHIM_H
#define STACKSIFT_CXXHASH_SHIM_H
#include <xxhash.h>
#endif
