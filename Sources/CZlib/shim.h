#ifndef STACKSIFT_CZLIB_SHIM_H
#define STACKSIFT_CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2 is a macro in zlib.h; Swift cannot import function-like macros.
static inline int stacksift_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
