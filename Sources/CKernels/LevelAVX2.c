/* The kernels for x86-64-v3 CPUs (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE). */
#if defined(__x86_64__)
#define CK_LEVEL_SUFFIX _avx2
#define CK_LEVEL_TARGET "arch=x86-64-v3"
#include "Level.h"
#endif
