/* Two passes in float with blocks summed in double: the shifted second pass keeps the variance
 * exact for data with a large mean, and per-block double sums keep long rows accurate. */
static void CK_KERNEL(ck_moments)(const float *x, size_t n, float *mean, float *var) {
#pragma clang fp reassociate(on)
    double sum = 0;
    for (size_t i = 0; i < n; i += 4096) {
        size_t e = i + 4096 < n ? i + 4096 : n;
        float s = 0;
        for (size_t j = i; j < e; j++) s += x[j];
        sum += s;
    }
    float m = n ? (float)(sum / (double)n) : 0.0f;
    double sq = 0;
    for (size_t i = 0; i < n; i += 4096) {
        size_t e = i + 4096 < n ? i + 4096 : n;
        float s = 0;
        for (size_t j = i; j < e; j++) { float d = x[j] - m; s += d * d; }
        sq += s;
    }
    *mean = m;
    *var = n ? (float)(sq / (double)n) : 0.0f;
}

static void CK_KERNEL(ck_affine)(const float *restrict x, float *restrict y, size_t n, float scale, float shift, int silu) {
    if (silu) {
        for (size_t i = 0; i < n; i++) {
            float v = x[i] * scale + shift;
            y[i] = v * ck_sigmoidf(v);
        }
    } else {
        for (size_t i = 0; i < n; i++) y[i] = x[i] * scale + shift;
    }
}

static void CK_KERNEL(ck_sum)(const float *x, size_t n, float *total) {
#pragma clang fp reassociate(on)
    float s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    *total = s;
}

static void CK_KERNEL(ck_norm_backward_sums)(const float *g, const float *x, size_t n, float mean, float *sum_g, float *sum_gx) {
#pragma clang fp reassociate(on)
    float a = 0, b = 0;
    for (size_t i = 0; i < n; i++) { a += g[i]; b += g[i] * (x[i] - mean); }
    *sum_g = a;
    *sum_gx = b;
}

static void CK_KERNEL(ck_norm_backward_apply)(const float *restrict g, const float *restrict x, float *restrict out, size_t n,
                            float k1, float k2, float k3) {
    for (size_t i = 0; i < n; i++) out[i] = k1 * g[i] - k2 * x[i] + k3;
}

static void CK_KERNEL(ck_affine_silu_backward)(const float *restrict x, const float *restrict g, float *restrict ga, size_t n,
                             float scale, float shift) {
    for (size_t i = 0; i < n; i++) {
        float a = x[i] * scale + shift;
        ga[i] = g[i] * ck_silu_grad(a, ck_sigmoidf(a));
    }
}
