/*
 * The CPU level: what this CPU offers (cpuid and xgetbv), the level dscript's kernels run at, and
 * the kernels OpenBLAS runs. Decided once, in a constructor: the executable's constructors run
 * after those of the shared libraries it loads, so OpenBLAS (whose own constructor picks its kernels
 * from OPENBLAS_CORETYPE or from a table of CPU models that goes stale) has started by then, and is
 * re-initialised with the core type of dscript's level when its choice differs. A user's own
 * OPENBLAS_CORETYPE always stands; DSCRIPT_CPU_LEVEL=baseline|avx2 runs everything one level lower
 * (the tests use it to check each level against the others and the golden values).
 */
#include "CKernels.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* One row per level: its name and the OpenBLAS core type with the same instructions. */
static const struct { const char *name, *blas_core; } levels[CK_LEVEL_COUNT] = {
    [CK_LEVEL_BASELINE] = {"baseline", "PRESCOTT"},
    [CK_LEVEL_AVX2] = {"avx2", "HASWELL"},
    [CK_LEVEL_AVX512] = {"avx512", "SKYLAKEX"},
};

const char *ck_level_name(ck_level level) {
    return (unsigned)level < CK_LEVEL_COUNT ? levels[level].name : "unknown";
}

int ck_level_parse(const char *text) {
    for (int i = 0; i < CK_LEVEL_COUNT; i++) {
        if (text && strcasecmp(text, levels[i].name) == 0) return i;
    }
    return -1;
}

ck_level ck_level_supported(const ck_cpu_features *f) {
    bool v3 = f->sse3 && f->ssse3 && f->sse41 && f->sse42 && f->popcnt && f->avx && f->avx2 && f->fma
        && f->f16c && f->bmi1 && f->bmi2 && f->lzcnt && f->movbe && f->os_ymm;
    bool v4 = v3 && f->avx512f && f->avx512dq && f->avx512bw && f->avx512vl && f->avx512cd && f->os_zmm;
    return v4 ? CK_LEVEL_AVX512 : (v3 ? CK_LEVEL_AVX2 : CK_LEVEL_BASELINE);
}

const char *ck_blas_core(ck_level level, bool forced) {
    if ((unsigned)level >= CK_LEVEL_COUNT) return NULL;
    if (level == CK_LEVEL_BASELINE && !forced) return NULL;
    return levels[level].blas_core;
}

ck_level ck_blas_core_level(const char *core) {
    static const char *avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"}, *avx2[] = {"Haswell", "Zen"};
    for (size_t i = 0; core && i < sizeof avx512 / sizeof *avx512; i++) {
        if (strcasecmp(core, avx512[i]) == 0) return CK_LEVEL_AVX512;
    }
    for (size_t i = 0; core && i < sizeof avx2 / sizeof *avx2; i++) {
        if (strcasecmp(core, avx2[i]) == 0) return CK_LEVEL_AVX2;
    }
    return CK_LEVEL_BASELINE;
}

void ck_cpu_detect(ck_cpu_features *f) {
    memset(f, 0, sizeof *f);
#if defined(__x86_64__)
    unsigned a, b, c, d, max = __get_cpuid_max(0, NULL);
    if (max >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
        f->sse3 = c & (1u << 0);
        f->ssse3 = c & (1u << 9);
        f->fma = c & (1u << 12);
        f->sse41 = c & (1u << 19);
        f->sse42 = c & (1u << 20);
        f->movbe = c & (1u << 22);
        f->popcnt = c & (1u << 23);
        f->avx = c & (1u << 28);
        f->f16c = c & (1u << 29);
        if (c & (1u << 27)) {   /* OSXSAVE: XCR0 says which register states the OS saves */
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            f->os_ymm = (lo & 0x6) == 0x6;
            f->os_zmm = f->os_ymm && (lo & 0xe0) == 0xe0;
        }
    }
    if (max >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f->bmi1 = b & (1u << 3);
        f->avx2 = b & (1u << 5);
        f->bmi2 = b & (1u << 8);
        f->avx512f = b & (1u << 16);
        f->avx512dq = b & (1u << 17);
        f->avx512cd = b & (1u << 28);
        f->avx512bw = b & (1u << 30);
        f->avx512vl = b & (1u << 31);
        if (a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) f->avx512bf16 = a & (1u << 5);
    }
    if (__get_cpuid_max(0x80000000, NULL) >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d)) {
        f->lzcnt = c & (1u << 5);
    }
#endif
}

void ck_cpu_brand(char *out, size_t size, unsigned *family, unsigned *model) {
    if (size) out[0] = 0;
    *family = *model = 0;
#if defined(__x86_64__)
    unsigned r[12] = {0}, a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        unsigned base = (a >> 8) & 0xf, ext = (a >> 20) & 0xff;
        *family = base == 0xf ? base + ext : base;
        *model = ((a >> 4) & 0xf) | (base == 0x6 || base == 0xf ? ((a >> 16) & 0xf) << 4 : 0);
    }
    if (size == 0 || __get_cpuid_max(0x80000000, NULL) < 0x80000004) return;
    for (unsigned i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    char text[49];
    memcpy(text, r, 48);
    text[48] = 0;
    const char *start = text;
    while (*start == ' ') start++;
    snprintf(out, size, "%s", start);
    for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--) out[n - 1] = 0;
#endif
}

/* ---- Start-up --------------------------------------------------------------------------------- */

/* OpenBLAS's core switching, where the loaded OpenBLAS has it (weak: absent → NULL). */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));

static ck_startup state;
static pthread_once_t started = PTHREAD_ONCE_INIT;
extern void ck_select_kernels(ck_level level);   /* Dispatch.c */

static void copy(char *dst, size_t size, const char *src) { snprintf(dst, size, "%s", src ? src : ""); }

/* Gives OpenBLAS the core type of the active level unless the user chose one or it already runs one
 * of that level. OPENBLAS_CORETYPE is set only while OpenBLAS re-reads it, then restored. */
static void configure_blas(void) {
    const char *user = getenv("OPENBLAS_CORETYPE");
    copy(state.blas_user_core, sizeof state.blas_user_core, user);
    state.blas_dynamic = gotoblas_dynamic_init && gotoblas_dynamic_quit && openblas_get_corename;
    if (openblas_get_corename) copy(state.blas_own_core, sizeof state.blas_own_core, openblas_get_corename());
    const char *core = ck_blas_core(state.active, state.level_forced);
    if (state.blas_user_core[0] || !state.blas_dynamic || !core) return;
    if (ck_blas_core_level(state.blas_own_core) == state.active) return;
    char saved[64];
    bool had = user != NULL;
    copy(saved, sizeof saved, user);
    setenv("OPENBLAS_CORETYPE", core, 1);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    if (had) setenv("OPENBLAS_CORETYPE", saved, 1); else unsetenv("OPENBLAS_CORETYPE");
    state.blas_switched = true;
}

static void start(void) {
    ck_cpu_features features;
    ck_cpu_detect(&features);
    state.best = state.active = ck_level_supported(&features);
    const char *request = getenv("DSCRIPT_CPU_LEVEL");
    if (request && *request) {
        copy(state.level_request, sizeof state.level_request, request);
        int level = ck_level_parse(request);
        state.level_invalid = level < 0;
        state.level_forced = level >= 0;
        if (level >= 0 && (ck_level)level < state.best) state.active = (ck_level)level;
    }
    ck_select_kernels(state.active);
    configure_blas();
}

const ck_startup *ck_startup_state(void) {
    pthread_once(&started, start);
    return &state;
}

__attribute__((constructor)) static void ck_start(void) { (void)ck_startup_state(); }
