static void CK_KERNEL(ck_softmax_rows)(float *x, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        float inv;
        ck_softmax_row(x + r * n, n, &inv);
    }
}

static void CK_KERNEL(ck_softmax_backward_rows)(const float *y, float *g, size_t rows, size_t n) {
#pragma clang fp reassociate(on)
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * n;
        float *gr = g + r * n;
        float dot = 0;
        for (size_t k = 0; k < n; k++) dot += gr[k] * yr[k];
        for (size_t k = 0; k < n; k++) gr[k] = yr[k] * (gr[k] - dot);
    }
}
