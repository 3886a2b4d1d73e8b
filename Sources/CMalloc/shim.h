#ifndef DSCRIPT_CMALLOC_SHIM_H
#define DSCRIPT_CMALLOC_SHIM_H
/* glibc's heap statistics (mallinfo2), which the Glibc module does not export; the memory budget
   subtracts the heap's free bytes from the process's size. */
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#endif
