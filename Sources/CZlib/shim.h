// zlib, for reading the .gz files MNIST and Fashion-MNIST ship as.
#ifndef VDROP_CZLIB_SHIM_H
#define VDROP_CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2 is a macro Swift cannot call; this is the same call as a function.
static inline int vdrop_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
