#ifndef DSCRIPT_COPENBLAS_SHIM_H
#define DSCRIPT_COPENBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extensions (declared in cblas.h of OpenBLAS builds). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* Stops OpenBLAS's worker threads (exported by its pthread and OpenMP servers; used at fork). */
int blas_thread_shutdown_(void);
#endif
