static void CK_KERNEL(ck_softmax_rows_scaled)(float *x, size_t rows, size_t n, float scale, float *row_max, float *row_inv) {
    for (size_t r = 0; r < rows; r++) {
        float *v = x + r * n;
        for (size_t k = 0; k < n; k++) v[k] *= scale;
        row_max[r] = ck_softmax_row(v, n, &row_inv[r]);
    }
}

/* The same operations as the forward pass, in the same order and without fused multiply-adds, so
 * the probabilities are bit for bit the ones the forward pass used. */
static void CK_KERNEL(ck_attention_probs)(float *s, size_t rows, size_t n, float scale, const float *row_max, const float *row_inv) {
#pragma clang fp contract(off)
    for (size_t r = 0; r < rows; r++) {
        float *v = s + r * n;
        const float m = row_max[r], inv = row_inv[r];
        for (size_t k = 0; k < n; k++) {
            float z = v[k] * scale;
            v[k] = ck_expf(z - m) * inv;
        }
    }
}

static void CK_KERNEL(ck_attention_dscores)(const float *restrict p, float *restrict dp, size_t rows, size_t n, const float *d, float scale) {
    for (size_t r = 0; r < rows; r++) {
        const float *pr = p + r * n;
        float *g = dp + r * n;
        const float dr = d[r];
        for (size_t k = 0; k < n; k++) g[k] = scale * pr[k] * (g[k] - dr);
    }
}

static void CK_KERNEL(ck_rowdot)(const float *a, const float *b, size_t rows, size_t n, float *out) {
#pragma clang fp reassociate(on)
    for (size_t r = 0; r < rows; r++) {
        float s = 0;
        for (size_t k = 0; k < n; k++) s += a[r * n + k] * b[r * n + k];
        out[r] = s;
    }
}
