#ifndef DSCRIPT_CPNG_SHIM_H
#define DSCRIPT_CPNG_SHIM_H
#include <png.h>
#include <zlib.h>
#endif
