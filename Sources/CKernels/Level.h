/*
 * One CPU level's kernels. Each Level*.c file defines CK_LEVEL_SUFFIX (and, for the AVX levels,
 * CK_LEVEL_TARGET) and includes this file: every kernel body in Kernels/ is then compiled for that
 * level's instructions under its own name (ck_silu_avx2, ...), and the level's table lists them.
 * Which table runs is decided at start-up from the CPU's features (Levels.c, Dispatch.c).
 */
#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define CK_CONCAT2(a, b) a##b
#define CK_CONCAT(a, b) CK_CONCAT2(a, b)
/* The name of kernel `name` at this level. */
#define CK_KERNEL(name) CK_CONCAT(name, CK_LEVEL_SUFFIX)

#ifdef CK_LEVEL_TARGET
#pragma clang attribute push(__attribute__((target(CK_LEVEL_TARGET))), apply_to = function)
#endif

#include "KernelMath.h"
#include "Kernels/Activations.h"
#include "Kernels/Attention.h"
#include "Kernels/Normalize.h"
#include "Kernels/Optimizers.h"
#include "Kernels/Softmax.h"
#include "Kernels/Winograd.h"

#define CK_TABLE_ENTRY(name, params, args) .name = CK_KERNEL(ck_##name),
const ck_kernel_table CK_CONCAT(ck_kernels, CK_LEVEL_SUFFIX) = { CK_KERNELS(CK_TABLE_ENTRY) };
#undef CK_TABLE_ENTRY

#ifdef CK_LEVEL_TARGET
#pragma clang attribute pop
#endif
