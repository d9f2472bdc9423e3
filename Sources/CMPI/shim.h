// Open MPI's C API as a Clang module for Swift (Debian's libopenmpi-dev; pkg-config ompi-c).
// MPI_COMM_WORLD, MPI_BYTE and the other predefined handles are macros over Open MPI's
// globals that Swift cannot import, so each is returned by a small inline function.
#ifndef VDROP_CMPI_SHIM_H
#define VDROP_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm vdrop_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype vdrop_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype vdrop_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype vdrop_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype vdrop_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op vdrop_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op vdrop_mpi_max(void) { return MPI_MAX; }
static inline int vdrop_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline MPI_Info vdrop_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Status *vdrop_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
#endif
