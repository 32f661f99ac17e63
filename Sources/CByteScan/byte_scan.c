// The scans are static inline in include/byte_scan.h; SwiftPM wants a source file per C target.
#include "byte_scan.h"
