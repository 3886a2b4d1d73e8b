/* Two passes per row, as flash attention does: the max of scale·x (nothing stored), then e^(scale·x − max)
 * stored with its sum. The rows stay unnormalised: the caller scales the rows of P·V by 1/Σ instead
 * of each of the n entries of P. z = scale·x is rounded before the subtraction (no fused
 * multiply-add), as ck_attention_probs computes it. Sums in 16 lanes, so the loops vectorise. */
static void CK_KERNEL(ck_attention_exp_rows)(float *x, size_t rows, size_t n, float scale, float *row_max, float *row_inv) {
#pragma clang fp contract(off)
    for (size_t r = 0; r < rows; r++) {
        float *v = x + r * n;
        float lanes[16];
        for (int j = 0; j < 16; j++) lanes[j] = -__builtin_inff();
        size_t k = 0;
        for (; k + 16 <= n; k += 16)
            for (int j = 0; j < 16; j++) { float z = v[k + j] * scale; lanes[j] = z > lanes[j] ? z : lanes[j]; }
        float m = -__builtin_inff();
        for (int j = 0; j < 16; j++) m = lanes[j] > m ? lanes[j] : m;
        for (; k < n; k++) { float z = v[k] * scale; m = z > m ? z : m; }
        if (m == -__builtin_inff()) m = 0;
        for (int j = 0; j < 16; j++) lanes[j] = 0;
        for (k = 0; k + 16 <= n; k += 16)
            for (int j = 0; j < 16; j++) {
                float z = v[k + j] * scale, e = ck_expf_nonpositive(z - m);
                v[k + j] = e;
                lanes[j] += e;
            }
        float total = 0;
        for (; k < n; k++) {
            float z = v[k] * scale, e = ck_expf_nonpositive(z - m);
            v[k] = e;
            total += e;
        }
        for (int j = 0; j < 16; j++) total += lanes[j];
        row_max[r] = m;
        row_inv[r] = 1.0f / total;
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
            v[k] = ck_expf_nonpositive(z - m) * inv;
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
