// The OpenCL 1.2 API and CLBlast's C API, as one Clang module for Swift.
// Kernels are OpenCL C 1.2, which both PoCL and NVIDIA's driver accept.
#ifndef VDROP_COPENCL_SHIM_H
#define VDROP_COPENCL_SHIM_H
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <clblast_c.h>
#endif
