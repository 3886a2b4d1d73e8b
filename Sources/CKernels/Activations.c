#include "CKernels.h"
#include "Dispatch.h"

CK_DISPATCH
void ck_silu(const float *restrict x, float *restrict y, float *restrict sig, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + ck_expf(-x[i]));
        sig[i] = s;
        y[i] = x[i] * s;
    }
}

CK_DISPATCH
void ck_silu_backward(const float *restrict x, const float *restrict sig, const float *restrict gy,
                      float *restrict gx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float s = sig[i];
        gx[i] = gy[i] * (s * (1.0f + x[i] * (1.0f - s)));
    }
}

CK_DISPATCH
void ck_exp(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = ck_expf(x[i]);
}
