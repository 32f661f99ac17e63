#ifndef STACKSIFT_CZSTD_SHIM_H
#define STACKSIFT_CZSTD_SHIM_H
#include <zstd.h>
#include <zstd_errors.h>  // ZSTD_getErrorCode: tell a window limit from corruption
#endif
