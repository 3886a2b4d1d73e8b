static void CK_KERNEL(ck_silu)(const float *restrict x, float *restrict y, float *restrict sig, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float s = ck_sigmoidf(x[i]);
        sig[i] = s;
        y[i] = x[i] * s;
    }
}

static void CK_KERNEL(ck_silu_backward)(const float *restrict x, const float *restrict sig, const float *restrict gy,
                      float *restrict gx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        gx[i] = gy[i] * ck_silu_grad(x[i], sig[i]);
    }
}

static void CK_KERNEL(ck_exp)(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = ck_expf(x[i]);
}

/* sin and cos of |x| < 8192: Cody–Waite reduction by π/2 in three parts (the first exact), Cephes
 * minimax polynomials on [−π/4, π/4] and the quadrant from k mod 4, branch-free so the loop
 * vectorises (FastMath.sinCos in Swift is the same algorithm). Larger |x| go to libm afterwards. */
static void CK_KERNEL(ck_sincos)(const float *restrict x, float *restrict s, float *restrict c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float magic = 12582912.0f;
        float shifted = x[i] * 0.636619772f + magic;
        float kf = shifted - magic;
        int32_t q = (int32_t)(ck_float_to_bits(shifted) - ck_float_to_bits(magic)) & 3;
        float r = x[i] - kf * 1.5703125f;
        r -= kf * 4.837512969970703125e-4f;
        r -= kf * 7.54978995489188216e-8f;
        float r2 = r * r;
        float sn = r + r * r2 * (-1.6666654611e-1f + r2 * (8.3321608736e-3f + r2 * -1.9515295891e-4f));
        float cs = 1 - 0.5f * r2 + r2 * r2 * (4.166664568298827e-2f + r2 * (-1.388731625493765e-3f + r2 * 2.443315711809948e-5f));
        s[i] = q == 0 ? sn : (q == 1 ? cs : (q == 2 ? -sn : -cs));
        c[i] = q == 0 ? cs : (q == 1 ? -sn : (q == 2 ? -cs : sn));
    }
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > -8192.0f && x[i] < 8192.0f)) { s[i] = sinf(x[i]); c[i] = cosf(x[i]); }
    }
}
