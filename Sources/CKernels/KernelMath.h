#ifndef DSCRIPT_CKERNELS_KERNEL_MATH_H
#define DSCRIPT_CKERNELS_KERNEL_MATH_H
/* Inline float math the kernels share. Included by Level.h inside each level's target region, so
 * these inline into each level's kernels compiled for that level. */
#include <stdint.h>
#include <string.h>

static inline float ck_bits_to_float(uint32_t u) { float f; __builtin_memcpy(&f, &u, 4); return f; }
static inline uint32_t ck_float_to_bits(float f) { uint32_t u; __builtin_memcpy(&u, &f, 4); return u; }

/* The core of the exps below: the Cody–Waite reduction x = n·ln2 + r with n rounded by the 1.5·2^23
 * trick, and a degree-6 polynomial for e^r, returned with n in *k (e^x = p·2^n). */
static inline __attribute__((always_inline)) float ck_exp_reduced(float x, int32_t *k) {
    const float magic = 12582912.0f;
    float shifted = x * 1.442695041f + magic;
    float n = shifted - magic;
    *k = (int32_t)(ck_float_to_bits(shifted) - ck_float_to_bits(magic));
    float r = x - n * 0.693145751953125f;
    r -= n * 1.428606765330187e-06f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    return p * r + 1;
}

/* e^x, branch-free so loops calling it vectorise, with 2^n built from exponent bits in two halves (so
 * denormal results and results near FLT_MAX stay exact). Within ~2 ulp; e^(−inf) = 0, e^(+inf) = inf,
 * NaN stays NaN. */
static inline float ck_expf(float x0) {
    float x = x0 < -104.0f ? -104.0f : (x0 > 88.72283f ? 88.72283f : x0);
    int32_t k;
    float p = ck_exp_reduced(x, &k);
    int32_t k1 = k >> 1, k2 = k - k1;
    float y = p * ck_bits_to_float((uint32_t)(k1 + 127) << 23) * ck_bits_to_float((uint32_t)(k2 + 127) << 23);
    y = x0 < -104.0f ? 0.0f : y;
    y = x0 > 88.72283f ? __builtin_inff() : y;
    return x0 != x0 ? x0 : y;
}

/* e^x for the shifted scores of a softmax (x ≤ 0, the row's largest giving 1), with one exponent
 * scale: x is clamped at −87.3 (where e^x is the smallest normal float), so tiny results come out as
 * ~1.2e-38 instead of smaller, which is nothing next to the row's sum (≥ 1); 30% fewer instructions
 * than ck_expf. NaN stays NaN. */
static inline float ck_expf_nonpositive(float x0) {
    float x = x0 < -87.3f ? -87.3f : x0;
    int32_t k;
    float p = ck_exp_reduced(x, &k);
    return p * ck_bits_to_float((uint32_t)(k + 127) << 23);
}

/* σ(x) = 1 / (1 + e^−x), and SiLU's derivative x·σ(x) ↦ σ·(1 + x·(1 − σ)) given σ = σ(x). */
static inline __attribute__((always_inline)) float ck_sigmoidf(float x) { return 1.0f / (1.0f + ck_expf(-x)); }
static inline __attribute__((always_inline)) float ck_silu_grad(float x, float s) { return s * (1.0f + x * (1.0f - s)); }

/* The largest of n floats (−inf for none), in 16 independent lanes so the loop vectorises (a single
 * running `x > m ? x : m` does not). NaNs are skipped here; the exp that follows propagates them. */
static inline __attribute__((always_inline)) float ck_row_max(const float *v, size_t n) {
    float lanes[16];
    for (int j = 0; j < 16; j++) lanes[j] = -__builtin_inff();
    size_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (int j = 0; j < 16; j++) lanes[j] = v[k + j] > lanes[j] ? v[k + j] : lanes[j];
    float m = -__builtin_inff();
    for (int j = 0; j < 16; j++) m = lanes[j] > m ? lanes[j] : m;
    for (; k < n; k++) m = v[k] > m ? v[k] : m;
    return m;
}
/* Softmax of one row in place (the max subtracted first, 0 if every entry is −inf); returns that
 * max and writes 1 / Σ exp to *inv, for a backward pass that recomputes the row. */
static inline __attribute__((always_inline)) float ck_softmax_row(float *v, size_t n, float *inv) {
#pragma clang fp reassociate(on)
    float m = ck_row_max(v, n);
    if (m == -__builtin_inff()) m = 0;
    float total = 0;
    for (size_t k = 0; k < n; k++) {
        float e = ck_expf(v[k] - m);
        v[k] = e;
        total += e;
    }
    const float r = 1.0f / total;
    for (size_t k = 0; k < n; k++) v[k] *= r;
    *inv = r;
    return m;
}
#endif
