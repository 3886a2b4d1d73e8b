#ifndef DSCRIPT_CKERNELS_H
#define DSCRIPT_CKERNELS_H
/*
 * CKernels: the engine's innermost float loops, written in C so that each is compiled for AVX-512,
 * AVX2+FMA and baseline x86-64 and picked at load time by the CPU it runs on (target_clones).
 * Swift can only build a whole module for one CPU level, so these loops live here; everything
 * around them (shapes, threads, autograd) stays in Swift. Every function works on raw, contiguous,
 * non-overlapping buffers that the caller has sized; none allocates, none fails.
 */
#include <stddef.h>

/* Worker threads (ThreadPool.c): runs fn(ctx, 0) … fn(ctx, parts − 1) on up to `threads` threads,
 * the caller's included, and returns when all have finished. Parts are claimed dynamically. One
 * region runs at a time; regions from other threads wait, and one started inside a part runs
 * serially on that thread. */
typedef void (*ck_task_fn)(void *ctx, size_t part);
void ck_parallel(size_t parts, size_t threads, ck_task_fn fn, void *ctx);

/* Activations (Activations.c). `sig` receives σ(x) for the backward pass. */
void ck_silu(const float *x, float *y, float *sig, size_t n);
/* gx = gy · σ·(1 + x·(1 − σ)) */
void ck_silu_backward(const float *x, const float *sig, const float *gy, float *gx, size_t n);
/* s = sin x, c = cos x (≤ 1e-6 absolute below |x| 8192, libm beyond). */
void ck_sincos(const float *x, float *s, float *c, size_t n);
/* y = e^x (y may equal x) */
void ck_exp(const float *x, float *y, size_t n);
/* *total = Σ x (Normalize.c) */
void ck_sum(const float *x, size_t n, float *total);

/* Softmax over `rows` contiguous rows of length n, in place (Softmax.c). */
void ck_softmax_rows(float *x, size_t rows, size_t n);
/* g ← y·(g − Σ g·y) row by row, in place on g. */
void ck_softmax_backward_rows(const float *y, float *g, size_t rows, size_t n);

/* Fused attention pieces (Attention.c), on `rows` rows of n scores.
 * softmax_rows_scaled: x ← softmax(scale·x) per row, keeping each row's max (of scale·x) and
 * 1 / Σ exp(scale·x − max) for the backward pass.
 * attention_probs: s ← the same probabilities again from those two, bit for bit.
 * attention_dscores: dp ← scale·p·(dp − d[r]) (the gradient of the unscaled scores).
 * rowdot: out[r] = Σ_k a[r, k]·b[r, k]. */
void ck_softmax_rows_scaled(float *x, size_t rows, size_t n, float scale, float *row_max, float *row_inv);
void ck_attention_probs(float *s, size_t rows, size_t n, float scale, const float *row_max, const float *row_inv);
void ck_attention_dscores(const float *p, float *dp, size_t rows, size_t n, const float *d, float scale);
void ck_rowdot(const float *a, const float *b, size_t rows, size_t n, float *out);

/* Normalisation pieces (Normalize.c). Mean and biased variance of n values, accumulated in double. */
void ck_moments(const float *x, size_t n, float *mean, float *var);
/* y = x·scale + shift; with `silu` nonzero, y = silu(x·scale + shift) instead. */
void ck_affine(const float *x, float *y, size_t n, float scale, float shift, int silu);
/* ga = g · silu′(a) with a = x·scale + shift (the gradient through a fused affine + SiLU). */
void ck_affine_silu_backward(const float *x, const float *g, float *ga, size_t n, float scale, float shift);
/* Σ g and Σ g·(x − mean) over n values (the normalisation backward's per-channel sums). */
void ck_norm_backward_sums(const float *g, const float *x, size_t n, float mean, float *sum_g, float *sum_gx);
/* out = k1·g − k2·x + k3 */
void ck_norm_backward_apply(const float *g, const float *x, float *out, size_t n, float k1, float k2, float k3);

/* Winograd F(4×4, 3×3) transforms (Winograd.c); tiles are numbered tile = ty·tw + tx, transformed
 * entries k = 6i + j. Input: one h×w plane, zero padding p, th×tw tiles of 6×6 (stride 4) → 36 planes
 * v[k·vstride + tile]. Output: 36 planes m[k·mstride + tile] → the ho×wo plane out (4×4 per tile,
 * the part past the edge dropped) plus `bias`. `scratch` holds ck_winograd_scratch(th, tw) floats,
 * for any of the plane transforms. */
size_t ck_winograd_scratch(size_t th, size_t tw);
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
#endif
