#include "CKernels.h"
#include "Dispatch.h"

CK_DISPATCH
void ck_softmax_rows(float *x, size_t rows, size_t n) {
#pragma clang fp reassociate(on)
    for (size_t r = 0; r < rows; r++) {
        float *v = x + r * n;
        float m = ck_row_max(v, n);
        if (m == -__builtin_inff()) m = 0;
        float total = 0;
        for (size_t k = 0; k < n; k++) {
            float e = ck_expf(v[k] - m);
            v[k] = e;
            total += e;
        }
        float inv = 1.0f / total;
        for (size_t k = 0; k < n; k++) v[k] *= inv;
    }
}

CK_DISPATCH
void ck_softmax_backward_rows(const float *y, float *g, size_t rows, size_t n) {
#pragma clang fp reassociate(on)
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * n;
        float *gr = g + r * n;
        float dot = 0;
        for (size_t k = 0; k < n; k++) dot += gr[k] * yr[k];
        for (size_t k = 0; k < n; k++) gr[k] = yr[k] * (gr[k] - dot);
    }
}
