/* Winograd F(4×4, 3×3) with the points 0, ±1, ±2 (Lavin & Gray 2015):
 *   Bᵀ = [[4,0,−5,0,1,0], [0,−4,−4,1,1,0], [0,4,−4,−1,1,0], [0,−2,−1,2,1,0], [0,2,−1,−2,1,0], [0,4,0,−5,0,1]]
 *   G  = [[¼,0,0], [−⅙,−⅙,−⅙], [−⅙,⅙,−⅙], [1/24,1/12,⅙], [1/24,−1/12,⅙], [0,0,1]]
 *   Aᵀ = [[1,1,1,1,1,0], [0,1,−1,2,−2,0], [0,1,1,4,4,0], [0,1,−1,8,−8,1]]
 * Each 2-D transform X·t·Yᵀ is a 1-D transform applied to the columns of t, then to the rows of the
 * result. The helpers below take and give their points through strides, so one helper serves both
 * passes; inlined into a loop over tiles with constant strides they unroll to plain arithmetic. */

/* The tile loops below read and write disjoint planes (the caller's strides keep the 36 streams
 * apart), which the vectoriser cannot prove for runtime strides with this many streams; this tells
 * it so. */
#if defined(__clang__)
#define CK_INDEPENDENT _Pragma("clang loop vectorize(assume_safety)")
#else
#define CK_INDEPENDENT
#endif

/* y = Bᵀ·x (6 points → 6). */
static inline void ck_bt6(const float *x, size_t sx, float *y, size_t sy) {
    float x0 = x[0], x1 = x[sx], x2 = x[2 * sx], x3 = x[3 * sx], x4 = x[4 * sx], x5 = x[5 * sx];
    y[0] = 4 * x0 - 5 * x2 + x4;
    y[sy] = (x3 + x4) - 4 * (x1 + x2);
    y[2 * sy] = (x4 - x3) + 4 * (x1 - x2);
    y[3 * sy] = (x4 - x2) + 2 * (x3 - x1);
    y[4 * sy] = (x4 - x2) - 2 * (x3 - x1);
    y[5 * sy] = 4 * x1 - 5 * x3 + x5;
}

/* y = Aᵀ·x (6 points → 4). */
static inline void ck_at6(const float *x, size_t sx, float *y, size_t sy) {
    float x0 = x[0], x1 = x[sx], x2 = x[2 * sx], x3 = x[3 * sx], x4 = x[4 * sx], x5 = x[5 * sx];
    float a = x1 + x2, b = x1 - x2, c = x3 + x4, d = x3 - x4;
    y[0] = x0 + a + c;
    y[sy] = b + 2 * d;
    y[2 * sy] = a + 4 * c;
    y[3 * sy] = b + 8 * d + x5;
}

/* y = A·x (4 points → 6), the adjoint of ck_at6. */
static inline void ck_a6(const float *x, size_t sx, float *y, size_t sy) {
    float x0 = x[0], x1 = x[sx], x2 = x[2 * sx], x3 = x[3 * sx];
    float e = x0 + x2, o = x1 + x3, e4 = x0 + 4 * x2, o8 = 2 * x1 + 8 * x3;
    y[0] = x0;
    y[sy] = e + o;
    y[2 * sy] = e - o;
    y[3 * sy] = e4 + o8;
    y[4 * sy] = e4 - o8;
    y[5 * sy] = x3;
}

/* y = G·x (3 points → 6). */
static inline void ck_g6(const float *x, size_t sx, float *y, size_t sy) {
    float x0 = x[0], x1 = x[sx], x2 = x[2 * sx];
    const float sixth = -1.0f / 6, twelfth = 1.0f / 12;
    float e = x0 + x2, q = x0 * (1.0f / 24) + x2 * (1.0f / 6);
    y[0] = x0 * 0.25f;
    y[sy] = (e + x1) * sixth;
    y[2 * sy] = (e - x1) * sixth;
    y[3 * sy] = q + x1 * twelfth;
    y[4 * sy] = q - x1 * twelfth;
    y[5 * sy] = x2;
}

/* y = Gᵀ·x (6 points → 3), the adjoint of ck_g6. */
static inline void ck_gt6(const float *x, size_t sx, float *y, size_t sy) {
    float x0 = x[0], x1 = x[sx], x2 = x[2 * sx], x3 = x[3 * sx], x4 = x[4 * sx], x5 = x[5 * sx];
    float s12 = x1 + x2, d12 = x2 - x1, s34 = x3 + x4, d34 = x3 - x4;
    const float sixth = 1.0f / 6;
    y[0] = x0 * 0.25f - s12 * sixth + s34 * (1.0f / 24);
    y[sy] = d12 * sixth + d34 * (1.0f / 12);
    y[2 * sy] = (s34 - s12) * sixth + x5;
}

/* u[k·plane + q] = (G·g·Gᵀ)_k for the 3×3 kernels g = w[q], q in first..<first+count. The kernels go
 * in batches of 256: first turned into nine contiguous arrays (one per kernel entry), so the
 * transform reads 9 and writes 36 contiguous streams and vectorises without gathers. */
static void CK_KERNEL(ck_winograd_weights)(const float *restrict w, size_t plane, size_t first, size_t count, float *restrict u) {
    enum { BATCH = 256 };
    float entries[9 * BATCH];
    for (size_t q0 = first; q0 < first + count; q0 += BATCH) {
        const size_t n = first + count - q0 < BATCH ? first + count - q0 : BATCH;
        for (size_t q = 0; q < n; q++)
            for (int j = 0; j < 9; j++) entries[j * BATCH + q] = w[9 * (q0 + q) + j];
        CK_INDEPENDENT
        for (size_t q = 0; q < n; q++) {
            float t[18];
            for (int j = 0; j < 3; j++) ck_g6(entries + j * BATCH + q, 3 * BATCH, t + j, 3);            /* G·g: 6×3 */
            for (int i = 0; i < 6; i++) ck_g6(t + 3 * i, 1, u + (size_t)(6 * i) * plane + q0 + q, plane); /* ·Gᵀ */
        }
    }
}

/* Copies n floats. The short copies here are kept inline (the package builds this target with
 * -fno-builtin, so the loop is not turned back into a memcpy call that costs more than the row). */
static inline void ck_copy(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

/* Bᵀ·d·B for the 6×6 tiles (stride 4) of one zero-padded plane. First the 36 tile entries d_ij are
 * gathered into arrays over all tiles (from the padded plane, one tile row at a time); then the
 * transform runs over all tiles of the plane with contiguous loads and stores only, so it vectorises
 * across tile rows rather than within one. */
static void CK_KERNEL(ck_winograd_input)(const float *restrict plane, size_t h, size_t w, size_t p, size_t th, size_t tw,
                       float *restrict v, size_t vstride, float *restrict scratch) {
    const size_t tiles = th * tw, ph = 4 * th + 2, pw = 4 * tw + 2;
    float *d = scratch;                    /* d[(6i + j)·tiles + tile] */
    float *padded = scratch + 36 * tiles;  /* ph rows of pw */
    memset(padded, 0, ph * pw * sizeof(float));
    for (size_t r = 0; r < h; r++) ck_copy(padded + (r + p) * pw + p, plane + r * w, w);
    for (size_t ty = 0; ty < th; ty++) {
        for (size_t i = 0; i < 6; i++) {
            const float *row = padded + (4 * ty + i) * pw;
            float *dst = d + 6 * i * tiles + ty * tw;
            CK_INDEPENDENT
            for (size_t tx = 0; tx < tw; tx++) {
                for (size_t j = 0; j < 6; j++) dst[j * tiles + tx] = row[4 * tx + j];
            }
        }
    }
    CK_INDEPENDENT
    for (size_t t = 0; t < tiles; t++) {
        float c[36];
        for (int j = 0; j < 6; j++) ck_bt6(d + (size_t)j * tiles + t, 6 * tiles, c + j, 6);   /* Bᵀ·d */
        for (int i = 0; i < 6; i++) ck_bt6(c + 6 * i, 1, v + (size_t)(6 * i) * vstride + t, vstride);   /* ·B */
    }
}

/* Aᵀ·M·A: each tile's 36 products become its 4×4 output block, plus `bias`. The 16 block entries are
 * computed over all tiles at once (contiguous, vectorised), then interleaved into the output rows;
 * entries past the plane's edge (ho or wo not a multiple of 4) are dropped. */
static void CK_KERNEL(ck_winograd_output)(const float *restrict m, size_t mstride, size_t th, size_t tw, size_t ho, size_t wo,
                        float bias, float *restrict out, float *restrict scratch) {
    const size_t tiles = th * tw;
    float *y = scratch;   /* y[(4i + j)·tiles + tile] */
    CK_INDEPENDENT
    for (size_t t = 0; t < tiles; t++) {
        float c[24];
        for (int j = 0; j < 6; j++) ck_at6(m + (size_t)j * mstride + t, 6 * mstride, c + j, 6);   /* Aᵀ·M */
        for (int i = 0; i < 4; i++) {   /* ·A */
            float r[4];
            ck_at6(c + 6 * i, 1, r, 1);
            for (int j = 0; j < 4; j++) y[(size_t)(4 * i + j) * tiles + t] = r[j] + bias;
        }
    }
    const size_t full = wo / 4, rest = wo % 4;
    for (size_t ty = 0; ty < th; ty++) {
        for (size_t i = 0; i < 4 && 4 * ty + i < ho; i++) {
            float *row = out + (4 * ty + i) * wo;
            const float *src = y + 4 * i * tiles + ty * tw;
            for (size_t tx = 0; tx < full; tx++) {
                for (size_t j = 0; j < 4; j++) row[4 * tx + j] = src[j * tiles + tx];
            }
            for (size_t j = 0; j < rest; j++) row[4 * full + j] = src[j * tiles + full];
        }
    }
}

/* A·g·Aᵀ, the adjoint of the output transform, for each 4×4 block of one ho×wo output-gradient plane.
 * The 16 entries of each block are gathered over all tiles first (zeros past the edge), then
 * transformed with contiguous loads and stores into 36 planes y[k·ystride + tile]. */
static void CK_KERNEL(ck_winograd_output_grad)(const float *restrict g, size_t ho, size_t wo, size_t th, size_t tw,
                             float *restrict y, size_t ystride, float *restrict scratch) {
    const size_t tiles = th * tw, full = wo / 4, rest = wo % 4;
    float *e = scratch;   /* e[(4i + j)·tiles + tile] */
    for (size_t ty = 0; ty < th; ty++) {
        for (size_t i = 0; i < 4; i++) {
            float *dst = e + 4 * i * tiles + ty * tw;
            if (4 * ty + i >= ho) {
                for (size_t j = 0; j < 4; j++) { for (size_t tx = 0; tx < tw; tx++) dst[j * tiles + tx] = 0; }
                continue;
            }
            const float *row = g + (4 * ty + i) * wo;
            for (size_t tx = 0; tx < full; tx++) {
                for (size_t j = 0; j < 4; j++) dst[j * tiles + tx] = row[4 * tx + j];
            }
            if (full < tw) {   /* the last tile sticks out past the right edge */
                for (size_t j = 0; j < 4; j++) dst[j * tiles + full] = j < rest ? row[4 * full + j] : 0;
            }
        }
    }
    CK_INDEPENDENT
    for (size_t t = 0; t < tiles; t++) {
        float c[24];
        for (int j = 0; j < 4; j++) ck_a6(e + (size_t)j * tiles + t, 4 * tiles, c + j, 4);   /* A·g: 6×4 */
        for (int i = 0; i < 6; i++) ck_a6(c + 4 * i, 1, y + (size_t)(6 * i) * ystride + t, ystride);   /* ·Aᵀ */
    }
}

/* dw[o][c] = Gᵀ·du·G from du[k][o][c], the adjoint of the weight transform (one loop over the o·c
 * kernels, reading the 36 planes contiguously). */
static void CK_KERNEL(ck_winograd_weights_grad)(const float *restrict du, size_t o, size_t c, float *restrict dw) {
    const size_t plane = o * c;
    CK_INDEPENDENT
    for (size_t q = 0; q < plane; q++) {
        float t[18];
        for (int j = 0; j < 6; j++) ck_gt6(du + (size_t)j * plane + q, 6 * plane, t + j, 6);   /* Gᵀ·du: 3×6 */
        for (int i = 0; i < 3; i++) ck_gt6(t + 6 * i, 1, dw + 9 * q + 3 * i, 1);              /* ·G: 3×3 */
    }
}
