#ifndef STACKSIFT_CPCRE2_SHIM_H
#define STACKSIFT_CPCRE2_SHIM_H
// pcre2.h requires the code-unit width before inclusion; stacksift matches UTF-8 bytes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
