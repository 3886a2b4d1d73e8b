#include "CKernels.h"
#include "Dispatch.h"

size_t ck_winograd_scratch(size_t th, size_t tw) {
    size_t gathered = 16 * th * tw, rows = (2 * th + 2) * (2 * tw + 2) + 2 * (tw + 1);
    return gathered + (rows > 4 * th * tw ? rows : 4 * th * tw);
}

/* Bᵀ·d·B for the 4×4 tiles of one zero-padded plane. First the sixteen tile entries d_ij are
 * gathered into arrays over all tiles (row copies from the padded plane split into its even and
 * odd columns); then the transform runs over the tiles with contiguous loads and stores only, so it
 * vectorises fully even when a tile row holds just 4 tiles. */
void ck_winograd_weights(const float *restrict w, size_t o, size_t c, float *restrict u) {
    const size_t plane = o * c;
    for (size_t oc = 0; oc < o; oc++) {
        for (size_t ic = 0; ic < c; ic++) {
            const float *g = w + (oc * c + ic) * 9;
            float t[4][3];   /* G·g */
            for (int j = 0; j < 3; j++) {
                float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                t[0][j] = g0;
                t[1][j] = 0.5f * (g0 + g1 + g2);
                t[2][j] = 0.5f * (g0 - g1 + g2);
                t[3][j] = g2;
            }
            for (int i = 0; i < 4; i++) {   /* (G·g)·Gᵀ, row i */
                float a = t[i][0], b = t[i][1], cc = t[i][2];
                float *dst = u + (size_t)(4 * i) * plane + oc * c + ic;
                dst[0] = a;
                dst[plane] = 0.5f * (a + b + cc);
                dst[2 * plane] = 0.5f * (a - b + cc);
                dst[3 * plane] = cc;
            }
        }
    }
}

/* Copies n floats. The short copies here are kept inline (the package builds this target with
 * -fno-builtin, so the loop is not turned back into a memcpy call that costs more than the row). */
static inline void ck_copy(float *restrict dst, const float *restrict src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

CK_DISPATCH
void ck_winograd_input(const float *restrict plane, size_t h, size_t w, size_t p, size_t th, size_t tw,
                       float *restrict v, size_t vstride, float *restrict scratch) {
    const size_t tiles = th * tw, ph = 2 * th + 2, pw = 2 * tw + 2, half = tw + 1;
    float *d = scratch;                    /* d[(4i + j)·tiles + tile] */
    float *padded = scratch + 16 * tiles;  /* ph rows of pw */
    float *split = padded + ph * pw;       /* one row: even columns, then odd */
    memset(padded, 0, ph * pw * sizeof(float));
    for (size_t r = 0; r < h; r++) ck_copy(padded + (r + p) * pw + p, plane + r * w, w);
    for (size_t r = 0; r < ph; r++) {
        const float *row = padded + r * pw;
        float *even = split, *odd = split + half;
        for (size_t t = 0; t < half; t++) { even[t] = row[2 * t]; odd[t] = row[2 * t + 1]; }
        /* Padded row r is row i = r − 2·ty of tile row ty, for the (at most two) ty with 0 ≤ i < 4. */
        for (size_t i = r & 1; i < 4; i += 2) {
            if (r < i || (r - i) / 2 >= th) continue;
            size_t ty = (r - i) / 2;
            float *base = d + (4 * i) * tiles + ty * tw;
            ck_copy(base, even, tw);
            ck_copy(base + tiles, odd, tw);
            ck_copy(base + 2 * tiles, even + 1, tw);
            ck_copy(base + 3 * tiles, odd + 1, tw);
        }
    }
    for (size_t t = 0; t < tiles; t++) {
        float d00 = d[0 * tiles + t], d01 = d[1 * tiles + t], d02 = d[2 * tiles + t], d03 = d[3 * tiles + t];
        float d10 = d[4 * tiles + t], d11 = d[5 * tiles + t], d12 = d[6 * tiles + t], d13 = d[7 * tiles + t];
        float d20 = d[8 * tiles + t], d21 = d[9 * tiles + t], d22 = d[10 * tiles + t], d23 = d[11 * tiles + t];
        float d30 = d[12 * tiles + t], d31 = d[13 * tiles + t], d32 = d[14 * tiles + t], d33 = d[15 * tiles + t];
        /* Row transform Bᵀ·d. */
        float t00 = d00 - d20, t01 = d01 - d21, t02 = d02 - d22, t03 = d03 - d23;
        float t10 = d10 + d20, t11 = d11 + d21, t12 = d12 + d22, t13 = d13 + d23;
        float t20 = d20 - d10, t21 = d21 - d11, t22 = d22 - d12, t23 = d23 - d13;
        float t30 = d10 - d30, t31 = d11 - d31, t32 = d12 - d32, t33 = d13 - d33;
        /* Column transform ·B: v_{4i+j}. */
        v[0 * vstride + t] = t00 - t02;  v[1 * vstride + t] = t01 + t02;
        v[2 * vstride + t] = t02 - t01;  v[3 * vstride + t] = t01 - t03;
        v[4 * vstride + t] = t10 - t12;  v[5 * vstride + t] = t11 + t12;
        v[6 * vstride + t] = t12 - t11;  v[7 * vstride + t] = t11 - t13;
        v[8 * vstride + t] = t20 - t22;  v[9 * vstride + t] = t21 + t22;
        v[10 * vstride + t] = t22 - t21; v[11 * vstride + t] = t21 - t23;
        v[12 * vstride + t] = t30 - t32; v[13 * vstride + t] = t31 + t32;
        v[14 * vstride + t] = t32 - t31; v[15 * vstride + t] = t31 - t33;
    }
}

/* Aᵀ·M·A: each tile's 16 products become its 2×2 output block. The four corners are computed over
 * all tiles at once (contiguous, vectorised), then interleaved into the output rows; an odd output
 * size drops the last row or column. */
CK_DISPATCH
void ck_winograd_output(const float *restrict m, size_t mstride, size_t th, size_t tw, size_t ho, size_t wo,
                        float bias, float *restrict out, float *restrict scratch) {
    const size_t tiles = th * tw;
    float *y00 = scratch, *y01 = scratch + tiles, *y10 = scratch + 2 * tiles, *y11 = scratch + 3 * tiles;
    for (size_t t = 0; t < tiles; t++) {
        float m0 = m[t], m1 = m[mstride + t], m2 = m[2 * mstride + t], m3 = m[3 * mstride + t];
        float m4 = m[4 * mstride + t], m5 = m[5 * mstride + t], m6 = m[6 * mstride + t], m7 = m[7 * mstride + t];
        float m8 = m[8 * mstride + t], m9 = m[9 * mstride + t], m10 = m[10 * mstride + t], m11 = m[11 * mstride + t];
        float m12 = m[12 * mstride + t], m13 = m[13 * mstride + t], m14 = m[14 * mstride + t], m15 = m[15 * mstride + t];
        float a0 = m0 + m4 + m8, a1 = m1 + m5 + m9, a2 = m2 + m6 + m10, a3 = m3 + m7 + m11;
        float b0 = m4 - m8 - m12, b1 = m5 - m9 - m13, b2 = m6 - m10 - m14, b3 = m7 - m11 - m15;
        y00[t] = a0 + a1 + a2 + bias;
        y01[t] = a1 - a2 - a3 + bias;
        y10[t] = b0 + b1 + b2 + bias;
        y11[t] = b1 - b2 - b3 + bias;
    }
    const size_t full = wo / 2;
    for (size_t ty = 0; ty < th; ty++) {
        float *r0 = out + 2 * ty * wo;
        const float *p00 = y00 + ty * tw, *p01 = y01 + ty * tw, *p10 = y10 + ty * tw, *p11 = y11 + ty * tw;
        for (size_t tx = 0; tx < full; tx++) { r0[2 * tx] = p00[tx]; r0[2 * tx + 1] = p01[tx]; }
        if (wo & 1) r0[wo - 1] = p00[full];
        if (2 * ty + 1 < ho) {
            float *r1 = r0 + wo;
            for (size_t tx = 0; tx < full; tx++) { r1[2 * tx] = p10[tx]; r1[2 * tx + 1] = p11[tx]; }
            if (wo & 1) r1[wo - 1] = p10[full];
        }
    }
}

/* A·g·Aᵀ, A = [[1, 0], [1, 1], [1, −1], [0, −1]]: the adjoint of the output transform. The four
 * entries of each 2×2 block are gathered over all tiles first (zeros past an odd edge), then
 * transformed with contiguous loads and stores. */
CK_DISPATCH
void ck_winograd_output_grad(const float *restrict g, size_t ho, size_t wo, size_t th, size_t tw,
                             float *restrict y, size_t ystride, float *restrict scratch) {
    const size_t tiles = th * tw;
    float *g00 = scratch, *g01 = scratch + tiles, *g10 = scratch + 2 * tiles, *g11 = scratch + 3 * tiles;
    const size_t full = wo / 2;
    for (size_t ty = 0; ty < th; ty++) {
        const float *r0 = g + 2 * ty * wo, *r1 = r0 + wo;
        const int second = 2 * ty + 1 < ho;
        float *p00 = g00 + ty * tw, *p01 = g01 + ty * tw, *p10 = g10 + ty * tw, *p11 = g11 + ty * tw;
        for (size_t tx = 0; tx < full; tx++) { p00[tx] = r0[2 * tx]; p01[tx] = r0[2 * tx + 1]; }
        if (second) {
            for (size_t tx = 0; tx < full; tx++) { p10[tx] = r1[2 * tx]; p11[tx] = r1[2 * tx + 1]; }
        } else {
            for (size_t tx = 0; tx < tw; tx++) { p10[tx] = 0; p11[tx] = 0; }
        }
        if (full < tw) {   /* odd width: the last tile's right column is outside */
            p00[full] = r0[wo - 1]; p01[full] = 0;
            p10[full] = second ? r1[wo - 1] : 0; p11[full] = 0;
        }
    }
    for (size_t t = 0; t < tiles; t++) {
        float a0 = g00[t], a1 = g01[t], b0 = g10[t], b1 = g11[t];
        /* Rows: A·g (4×2). */
        float r00 = a0, r01 = a1;
        float r10 = a0 + b0, r11 = a1 + b1;
        float r20 = a0 - b0, r21 = a1 - b1;
        float r30 = -b0, r31 = -b1;
        /* Columns: ·Aᵀ. */
        y[0 * ystride + t] = r00;  y[1 * ystride + t] = r00 + r01;  y[2 * ystride + t] = r00 - r01;  y[3 * ystride + t] = -r01;
        y[4 * ystride + t] = r10;  y[5 * ystride + t] = r10 + r11;  y[6 * ystride + t] = r10 - r11;  y[7 * ystride + t] = -r11;
        y[8 * ystride + t] = r20;  y[9 * ystride + t] = r20 + r21;  y[10 * ystride + t] = r20 - r21; y[11 * ystride + t] = -r21;
        y[12 * ystride + t] = r30; y[13 * ystride + t] = r30 + r31; y[14 * ystride + t] = r30 - r31; y[15 * ystride + t] = -r31;
    }
}

/* dw = Gᵀ·du·G, G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]: the adjoint of the weight transform. */
void ck_winograd_weights_grad(const float *restrict du, size_t o, size_t c, float *restrict dw) {
    const size_t plane = o * c;
    for (size_t oc = 0; oc < o; oc++) {
        for (size_t ic = 0; ic < c; ic++) {
            const float *src = du + oc * c + ic;
            float d[4][4], t[3][4];
            for (int k = 0; k < 16; k++) d[k / 4][k % 4] = src[(size_t)k * plane];
            for (int j = 0; j < 4; j++) {   /* Gᵀ·du: 3×4 */
                t[0][j] = d[0][j] + 0.5f * (d[1][j] + d[2][j]);
                t[1][j] = 0.5f * (d[1][j] - d[2][j]);
                t[2][j] = 0.5f * (d[1][j] + d[2][j]) + d[3][j];
            }
            float *dst = dw + (oc * c + ic) * 9;
            for (int i = 0; i < 3; i++) {   /* ·G: 3×3 */
                dst[3 * i] = t[i][0] + 0.5f * (t[i][1] + t[i][2]);
                dst[3 * i + 1] = 0.5f * (t[i][1] - t[i][2]);
                dst[3 * i + 2] = 0.5f * (t[i][1] + t[i][2]) + t[i][3];
            }
        }
    }
}
