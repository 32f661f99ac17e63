#ifndef STACKSIFT_CLZ4_SHIM_H
#define STACKSIFT_CLZ4_SHIM_H
#include <lz4frame.h>
#endif
