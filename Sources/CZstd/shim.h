#ifndef STACKSIFT_CZSTD_SHIM_H
#define STACKSIFT_CZSTD_SHIM_H
#include <zstd.h>
#endif
