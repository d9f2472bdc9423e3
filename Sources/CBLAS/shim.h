// OpenBLAS's CBLAS interface: the CPU backend's GEMMs (cblas_sgemm).
// Debian's libopenblas-dev installs it as <cblas.h> in the multiarch include folder.
#ifndef VDROP_CBLAS_SHIM_H
#define VDROP_CBLAS_SHIM_H
#include <cblas.h>
// openblas_set_num_threads lets the CPU backend match BLAS threads to its own.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
