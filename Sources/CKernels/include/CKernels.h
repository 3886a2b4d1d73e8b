#ifndef DSCRIPT_CKERNELS_H
#define DSCRIPT_CKERNELS_H
/*
 * CKernels: the engine's innermost float loops, written in C so that each is compiled once per CPU
 * level (baseline x86-64, AVX2+FMA, AVX-512; other architectures have the baseline only), and the
 * start-up code that picks the level from the CPU's own features (cpuid and xgetbv, not a list of
 * model numbers) and gives OpenBLAS the matching kernels. Swift can only build a whole module for
 * one CPU level, so these loops live here; everything around them (shapes, threads, autograd) stays
 * in Swift. Every kernel works on raw, contiguous, non-overlapping buffers that the caller has
 * sized; none allocates, none fails.
 */
#include <stdbool.h>
#include <stddef.h>

/* ---- CPU levels (Levels.c) ---------------------------------------------------------------------- */

/* The instruction levels the kernels are compiled for, lowest first. */
typedef enum { CK_LEVEL_BASELINE = 0, CK_LEVEL_AVX2 = 1, CK_LEVEL_AVX512 = 2 } ck_level;
enum { CK_LEVEL_COUNT = 3 };

/* What the CPU and the operating system offer (x86-64; all false elsewhere). */
typedef struct {
    bool sse3, ssse3, sse41, sse42, popcnt;
    bool avx, avx2, fma, f16c, bmi1, bmi2, lzcnt, movbe;
    bool avx512f, avx512dq, avx512bw, avx512vl, avx512cd, avx512bf16;
    bool os_ymm;   /* the OS saves the YMM registers (XCR0 bits 1–2) */
    bool os_zmm;   /* ... and the AVX-512 opmask and ZMM registers (XCR0 bits 5–7) */
} ck_cpu_features;

/* This CPU's features (cpuid + xgetbv). */
void ck_cpu_detect(ck_cpu_features *features);
/* The CPU's brand string ("AMD EPYC 9654 96-Core Processor"), "" where it has none; and its
 * family and model numbers (shown, never used to choose). */
void ck_cpu_brand(char *out, size_t size, unsigned *family, unsigned *model);

/* The best level whose instructions `features` has: AVX-512 needs F, DQ, BW, VL and CD with the OS
 * saving ZMM state; AVX2 needs AVX, AVX2, FMA, F16C, BMI1, BMI2, LZCNT, MOVBE and SSE3–4.2 with
 * the OS saving YMM state (x86-64-v4 and -v3). */
ck_level ck_level_supported(const ck_cpu_features *features);
/* The OpenBLAS core type for `level`: SKYLAKEX, HASWELL, or for the baseline PRESCOTT when the
 * level was forced (DSCRIPT_CPU_LEVEL) and NULL otherwise (then OpenBLAS's own choice stands: it
 * knows the older CPUs, such as AVX-only ones, better than "baseline" does). */
const char *ck_blas_core(ck_level level, bool forced);
/* The level class of an OpenBLAS core name ("SkylakeX" and "Cooperlake" → AVX-512, "Haswell" and
 * "Zen" → AVX2, anything else → baseline). */
ck_level ck_blas_core_level(const char *core);
/* "baseline", "avx2", "avx512"; and back (case-insensitive, -1 for anything else). */
const char *ck_level_name(ck_level level);
int ck_level_parse(const char *text);

/* What was decided before main (Levels.c runs as a constructor, after OpenBLAS's own). */
typedef struct {
    ck_level best;             /* what the CPU supports */
    ck_level active;           /* what the kernels run: `best`, or lower when DSCRIPT_CPU_LEVEL asks */
    bool level_forced;         /* DSCRIPT_CPU_LEVEL named a level (capped at `best`) */
    bool level_invalid;        /* DSCRIPT_CPU_LEVEL was set to something else (ignored) */
    char level_request[32];    /* DSCRIPT_CPU_LEVEL as given */
    char blas_user_core[32];   /* OPENBLAS_CORETYPE as the user set it ("" if not): it wins */
    char blas_own_core[32];    /* the core OpenBLAS chose itself when it was loaded */
    bool blas_switched;        /* dscript re-initialised OpenBLAS with ck_blas_core(active) */
    bool blas_dynamic;         /* the OpenBLAS in use can switch cores (a DYNAMIC_ARCH build) */
} ck_startup;
const ck_startup *ck_startup_state(void);

/* ---- Kernels, one table per level (Dispatch.c, Level.h) ----------------------------------------- */

/* Every dispatched kernel: name, parameters, arguments. The table of each level and the ck_ functions
 * below (which call the active level's table) are generated from this list. */
#define CK_KERNELS(X) \
    X(silu, (const float *x, float *y, float *sig, size_t n), (x, y, sig, n)) \
    X(silu_backward, (const float *x, const float *sig, const float *gy, float *gx, size_t n), (x, sig, gy, gx, n)) \
    X(sincos, (const float *x, float *s, float *c, size_t n), (x, s, c, n)) \
    X(exp, (const float *x, float *y, size_t n), (x, y, n)) \
    X(sum, (const float *x, size_t n, float *total), (x, n, total)) \
    X(softmax_rows, (float *x, size_t rows, size_t n), (x, rows, n)) \
    X(softmax_backward_rows, (const float *y, float *g, size_t rows, size_t n), (y, g, rows, n)) \
    X(attention_exp_rows, (float *x, size_t rows, size_t n, float scale, float *row_max, float *row_inv), \
      (x, rows, n, scale, row_max, row_inv)) \
    X(attention_probs, (float *s, size_t rows, size_t n, float scale, const float *row_max, const float *row_inv), \
      (s, rows, n, scale, row_max, row_inv)) \
    X(attention_dscores, (const float *p, float *dp, size_t rows, size_t n, const float *d, float scale), \
      (p, dp, rows, n, d, scale)) \
    X(rowdot, (const float *a, const float *b, size_t rows, size_t n, float *out), (a, b, rows, n, out)) \
    X(moments, (const float *x, size_t n, float *mean, float *var), (x, n, mean, var)) \
    X(affine, (const float *x, float *y, size_t n, float scale, float shift, int silu), (x, y, n, scale, shift, silu)) \
    X(affine_silu_backward, (const float *x, const float *g, float *ga, size_t n, float scale, float shift), \
      (x, g, ga, n, scale, shift)) \
    X(norm_backward_sums, (const float *g, const float *x, size_t n, float mean, float *sum_g, float *sum_gx), \
      (g, x, n, mean, sum_g, sum_gx)) \
    X(norm_backward_apply, (const float *g, const float *x, float *out, size_t n, float k1, float k2, float k3), \
      (g, x, out, n, k1, k2, k3)) \
    X(winograd_weights, (const float *w, size_t plane, size_t first, size_t count, float *u), (w, plane, first, count, u)) \
    X(winograd_input, (const float *plane, size_t h, size_t w, size_t p, size_t th, size_t tw, float *v, \
      size_t vstride, float *scratch), (plane, h, w, p, th, tw, v, vstride, scratch)) \
    X(winograd_output, (const float *m, size_t mstride, size_t th, size_t tw, size_t ho, size_t wo, float bias, \
      float *out, float *scratch), (m, mstride, th, tw, ho, wo, bias, out, scratch)) \
    X(winograd_output_grad, (const float *g, size_t ho, size_t wo, size_t th, size_t tw, float *y, size_t ystride, \
      float *scratch), (g, ho, wo, th, tw, y, ystride, scratch)) \
    X(winograd_weights_grad, (const float *du, size_t o, size_t c, float *dw), (du, o, c, dw)) \
    X(adam, (float *p, const float *g, float *m, float *v, size_t n, const float *h, int mode), (p, g, m, v, n, h, mode))

#define CK_TABLE_FIELD(name, params, args) void (*name) params;
typedef struct { CK_KERNELS(CK_TABLE_FIELD) } ck_kernel_table;
#undef CK_TABLE_FIELD

/* The kernels of `level`, to compare levels against each other; NULL when this build has no such
 * level (the AVX levels exist on x86-64 only) or the CPU cannot run it. */
const ck_kernel_table *ck_kernels_at(ck_level level);

/* Activations (Kernels/Activations.h). `sig` receives σ(x) for the backward pass. */
void ck_silu(const float *x, float *y, float *sig, size_t n);
/* gx = gy · σ·(1 + x·(1 − σ)) */
void ck_silu_backward(const float *x, const float *sig, const float *gy, float *gx, size_t n);
/* s = sin x, c = cos x (≤ 1e-6 absolute below |x| 8192, libm beyond). */
void ck_sincos(const float *x, float *s, float *c, size_t n);
/* y = e^x (y may equal x) */
void ck_exp(const float *x, float *y, size_t n);
/* *total = Σ x (Kernels/Normalize.h) */
void ck_sum(const float *x, size_t n, float *total);

/* Softmax over `rows` contiguous rows of length n, in place (Kernels/Softmax.h). */
void ck_softmax_rows(float *x, size_t rows, size_t n);
/* g ← y·(g − Σ g·y) row by row, in place on g. */
void ck_softmax_backward_rows(const float *y, float *g, size_t rows, size_t n);

/* Fused attention pieces (Kernels/Attention.h), on `rows` rows of n scores.
 * attention_exp_rows: x ← exp(scale·x − max) per row, unnormalised, keeping each row's max (of
 * scale·x) and 1 / Σ exp(scale·x − max) (the softmax is those exponentials times 1/Σ).
 * attention_probs: s ← the probabilities from those two: the same exponentials, bit for bit, times 1/Σ.
 * attention_dscores: dp ← scale·p·(dp − d[r]) (the gradient of the unscaled scores).
 * rowdot: out[r] = Σ_k a[r, k]·b[r, k]. */
void ck_attention_exp_rows(float *x, size_t rows, size_t n, float scale, float *row_max, float *row_inv);
void ck_attention_probs(float *s, size_t rows, size_t n, float scale, const float *row_max, const float *row_inv);
void ck_attention_dscores(const float *p, float *dp, size_t rows, size_t n, const float *d, float scale);
void ck_rowdot(const float *a, const float *b, size_t rows, size_t n, float *out);

/* Normalisation pieces (Kernels/Normalize.h). Mean and biased variance of n values, accumulated in double. */
void ck_moments(const float *x, size_t n, float *mean, float *var);
/* y = x·scale + shift; with `silu` nonzero, y = silu(x·scale + shift) instead. */
void ck_affine(const float *x, float *y, size_t n, float scale, float shift, int silu);
/* ga = g · silu′(a) with a = x·scale + shift (the gradient through a fused affine + SiLU). */
void ck_affine_silu_backward(const float *x, const float *g, float *ga, size_t n, float scale, float shift);
/* Σ g and Σ g·(x − mean) over n values (the normalisation backward's per-channel sums). */
void ck_norm_backward_sums(const float *g, const float *x, size_t n, float mean, float *sum_g, float *sum_gx);
/* out = k1·g − k2·x + k3 */
void ck_norm_backward_apply(const float *g, const float *x, float *out, size_t n, float k1, float k2, float k3);

/* Winograd F(4×4, 3×3) transforms (Kernels/Winograd.h); tiles are numbered tile = ty·tw + tx,
 * transformed entries k = 6i + j. Input: one h×w plane, zero padding p, th×tw tiles of 6×6 (stride 4)
 * → 36 planes v[k·vstride + tile]. Output: 36 planes m[k·mstride + tile] → the ho×wo plane out (4×4
 * per tile, the part past the edge dropped) plus `bias`. `scratch` holds ck_winograd_scratch(th, tw)
 * floats, for any of the plane transforms: the 36 gathered tile entries plus either the padded plane
 * (input) or 16 output planes (output, gradient). */
static inline size_t ck_winograd_scratch(size_t th, size_t tw) {
    size_t tiles = th * tw, rows = (4 * th + 2) * (4 * tw + 2);
    return 36 * tiles + (rows > 16 * tiles ? rows : 16 * tiles);
}
/* Weights: U = G·g·Gᵀ of the 3×3 kernels first..<first+count of w [plane = o·c][3][3], into
 * u[k·plane + kernel] (all of u is 36·o·c floats, laid out [k][o][c]). */
void ck_winograd_weights(const float *w, size_t plane, size_t first, size_t count, float *u);
void ck_winograd_input(const float *plane, size_t h, size_t w, size_t p, size_t th, size_t tw,
                       float *v, size_t vstride, float *scratch);
void ck_winograd_output(const float *m, size_t mstride, size_t th, size_t tw, size_t ho, size_t wo,
                        float bias, float *out, float *scratch);
/* The weight gradient's two transforms (the adjoints of the output and weight transforms):
 * A·g·Aᵀ of each 4×4 block of one ho×wo output-gradient plane (zero past its edge) → 36 planes
 * y[k·ystride + tile]; and dw[o][c][3][3] = Gᵀ·du_k·G from du[k][o][c]. */
void ck_winograd_output_grad(const float *g, size_t ho, size_t wo, size_t th, size_t tw,
                             float *y, size_t ystride, float *scratch);
void ck_winograd_weights_grad(const float *du, size_t o, size_t c, float *dw);

/* One Adam step (Kernels/Optimizers.h) on n parameters p with gradients g and moments m, v.
 * h = {β1, β2, ε, weight decay, lr, lr / (1 − β1^t), √(1 − β2^t)}; mode 0: no decay, 1: L2 decay
 * added to the gradient (Adam), 2: decoupled decay (AdamW). */
void ck_adam(float *p, const float *g, float *m, float *v, size_t n, const float *h, int mode);

/* ---- Worker threads and interrupts (ThreadPool.c) ----------------------------------------------- */

/* Runs fn(ctx, 0) … fn(ctx, parts − 1) on up to `threads` threads, the caller's included, and
 * returns when all have finished. Parts are claimed dynamically. One region runs at a time; regions
 * from other threads wait, and one started inside a part runs serially on that thread. */
typedef void (*ck_task_fn)(void *ctx, size_t part);
void ck_parallel(size_t parts, size_t threads, ck_task_fn fn, void *ctx);

/* The engine's interrupt request (Ctrl-C): set from a signal handler (async-signal-safe), polled by
 * long loops between their pieces of work so they return early. */
void ck_interrupt_set(int requested);
int ck_interrupt_requested(void);
#endif
