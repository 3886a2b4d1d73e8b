/* The kernels for any CPU of the architecture (x86-64: SSE2). */
#define CK_LEVEL_SUFFIX _baseline
#include "Level.h"
