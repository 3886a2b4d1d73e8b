#ifndef DSCRIPT_CSYSTEM_SHIM_H
#define DSCRIPT_CSYSTEM_SHIM_H
#include <stdint.h>
/* glibc's heap statistics (mallinfo2), which the Glibc module does not export; the memory budget
   subtracts the heap's free bytes from the process's size. */
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/* The address of the calling frame on the machine stack, for the interpreter's stack guard. The
   address of a local variable will not do under AddressSanitizer, which keeps locals whose address
   is taken on a heap "fake stack" (the guard then never fired and deep recursion overflowed). */
static inline uintptr_t dscript_frame_address(void) { return (uintptr_t)__builtin_frame_address(0); }
#endif
