/* The kernels for x86-64-v4 CPUs (AVX-512 F, DQ, BW, VL, CD), with 512-bit vectors. */
#if defined(__x86_64__)
#define CK_LEVEL_SUFFIX _avx512
#define CK_LEVEL_TARGET "arch=x86-64-v4"
#include "Level.h"
#endif
