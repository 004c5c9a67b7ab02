// The MPI calls RecKit's distributed layer makes, on MPI_COMM_WORLD, as plain C functions (mpi.h's
// handles are macros Swift cannot import). Every function returns the MPI error code (0 = success);
// the communicator is set to MPI_ERRORS_RETURN, so a failed call reports instead of aborting.
#ifndef RECKIT_MPI_H
#define RECKIT_MPI_H
#include <stdint.h>

/// MPI_Init_thread(MPI_THREAD_FUNNELED); 0 on success. `provided` gets the thread level.
int reckit_mpi_init(int *provided);
/// 1 once MPI_Init has run (and MPI_Finalize has not).
int reckit_mpi_initialized(void);
int reckit_mpi_finalize(void);
int reckit_mpi_rank(void);
int reckit_mpi_size(void);
/// Ends every rank of the job with `code` (MPI_Abort).
void reckit_mpi_abort(int code);
int reckit_mpi_barrier(void);
/// The text of an MPI error code, into `buffer` (NUL-terminated).
void reckit_mpi_error_string(int code, char *buffer, int capacity);

/// In-place all-reduce of `count` values: op 0 = sum, 1 = max, 2 = min, 3 = bitwise or (integers only).
int reckit_mpi_allreduce_double(double *values, int64_t count, int op);
int reckit_mpi_allreduce_int64(int64_t *values, int64_t count, int op);
int reckit_mpi_allreduce_int32(int32_t *values, int64_t count, int op);
/// Exclusive prefix sum of one value (rank 0 gets 0).
int reckit_mpi_exscan_int64(int64_t value, int64_t *result);
/// Broadcasts `bytes` bytes from `root`.
int reckit_mpi_bcast(void *buffer, int64_t bytes, int root);
/// Every rank's `send_bytes` bytes, concatenated in rank order into `receive` on every rank;
/// `counts` and `displacements` are in bytes.
int reckit_mpi_allgatherv(const void *send, int64_t send_bytes, void *receive, const int64_t *counts, const int64_t *displacements);
/// All-to-all of bytes: `send_counts[r]` bytes at `send_displacements[r]` go to rank r.
int reckit_mpi_alltoallv(const void *send, const int64_t *send_counts, const int64_t *send_displacements,
                         void *receive, const int64_t *receive_counts, const int64_t *receive_displacements);
/// MPI_Wtime.
double reckit_mpi_wtime(void);

#endif
