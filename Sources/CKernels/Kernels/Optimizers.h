/* One Adam step on n parameters (torch.optim.Adam / AdamW, operation for operation): with L2 decay
 * (weight_decay, not decoupled) g += wd·p; with decoupled decay (AdamW) p *= 1 − lr·wd; then
 * m ← m + (g − m)·(1 − β1), v ← v·β2 + (1 − β2)·g², p ← p − step_size · m / (√v / √(1 − β2^t) + ε)
 * with step_size = lr / (1 − β1^t). Without contraction into fused multiply-adds, so every level
 * gives the same bits. */
static void CK_KERNEL(ck_adam)(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                               size_t n, const float *restrict h, int mode) {
#pragma clang fp contract(off)
    const float b1 = h[0], b2 = h[1], eps = h[2], wd = h[3], lr = h[4], step_size = h[5], bc2_sqrt = h[6];
    const float decay = 1 - lr * wd;
    const int l2 = mode == 1, decoupled = mode == 2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i], pi = p[i];
        gi = l2 ? gi + wd * pi : gi;
        pi = decoupled ? pi * decay : pi;
        float mi = m[i] + (gi - m[i]) * (1 - b1);
        float vi = v[i] * b2 + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float denom = __builtin_sqrtf(vi) / bc2_sqrt + eps;
        p[i] = pi - step_size * (mi / denom);
    }
}
