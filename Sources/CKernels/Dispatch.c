/*
 * The ck_ kernel functions: each calls the kernel of the level chosen at start-up (Levels.c), through
 * that level's table (Level.h). The choice is made once, before main, so the load of the table
 * pointer is the whole cost of a call.
 */
#include "CKernels.h"

extern const ck_kernel_table ck_kernels_baseline;
#if defined(__x86_64__)
extern const ck_kernel_table ck_kernels_avx2, ck_kernels_avx512;
#endif

/* The tables by level (NULL where this architecture has no such level). */
static const ck_kernel_table *const tables[CK_LEVEL_COUNT] = {
    [CK_LEVEL_BASELINE] = &ck_kernels_baseline,
#if defined(__x86_64__)
    [CK_LEVEL_AVX2] = &ck_kernels_avx2,
    [CK_LEVEL_AVX512] = &ck_kernels_avx512,
#endif
};

/* The baseline until the start-up code has chosen (nothing runs a kernel before it). */
static const ck_kernel_table *active = &ck_kernels_baseline;

const ck_kernel_table *ck_kernels_at(ck_level level) {
    return (unsigned)level < CK_LEVEL_COUNT && level <= ck_startup_state()->best ? tables[level] : NULL;
}

/* Called once by the start-up code (Levels.c) with the level it chose. */
void ck_select_kernels(ck_level level) {
    if ((unsigned)level < CK_LEVEL_COUNT && tables[level]) active = tables[level];
}

#define CK_CALL_ACTIVE(name, params, args) void ck_##name params { active->name args; }
CK_KERNELS(CK_CALL_ACTIVE)
#undef CK_CALL_ACTIVE
