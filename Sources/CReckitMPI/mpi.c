#include "CReckitMPI.h"
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

int reckit_mpi_init(int *provided) {
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, provided);
    if (rc == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return rc;
}

int reckit_mpi_initialized(void) {
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int reckit_mpi_finalize(void) { return MPI_Finalize(); }
int reckit_mpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int reckit_mpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
void reckit_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
int reckit_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
double reckit_mpi_wtime(void) { return MPI_Wtime(); }

void reckit_mpi_error_string(int code, char *buffer, int capacity) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) { strncpy(text, "unknown MPI error", sizeof text); length = (int)strlen(text); }
    if (capacity <= 0) return;
    if (length >= capacity) length = capacity - 1;
    memcpy(buffer, text, (size_t)length);
    buffer[length] = 0;
}

static MPI_Op op_of(int op) { return op == 1 ? MPI_MAX : op == 2 ? MPI_MIN : op == 3 ? MPI_BOR : MPI_SUM; }

// Reductions go in pieces of at most 2^30 elements (MPI counts are int).
#define PIECE ((int64_t)1 << 30)

static int allreduce(void *values, int64_t count, MPI_Datatype type, size_t size, int op) {
    char *p = values;
    for (int64_t done = 0; done < count; done += PIECE) {
        int n = (int)(count - done < PIECE ? count - done : PIECE);
        int rc = MPI_Allreduce(MPI_IN_PLACE, p + done * (int64_t)size, n, type, op_of(op), MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}

int reckit_mpi_allreduce_double(double *values, int64_t count, int op) { return allreduce(values, count, MPI_DOUBLE, sizeof(double), op); }
int reckit_mpi_allreduce_int64(int64_t *values, int64_t count, int op) { return allreduce(values, count, MPI_INT64_T, sizeof(int64_t), op); }
int reckit_mpi_allreduce_int32(int32_t *values, int64_t count, int op) { return allreduce(values, count, MPI_INT32_T, sizeof(int32_t), op); }

int reckit_mpi_exscan_int64(int64_t value, int64_t *result) {
    *result = 0;
    int rc = MPI_Exscan(&value, result, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (reckit_mpi_rank() == 0) *result = 0;   // MPI leaves rank 0's result undefined
    return rc;
}

int reckit_mpi_bcast(void *buffer, int64_t bytes, int root) {
    char *p = buffer;
    for (int64_t done = 0; done < bytes; done += PIECE) {
        int n = (int)(bytes - done < PIECE ? bytes - done : PIECE);
        int rc = MPI_Bcast(p + done, n, MPI_BYTE, root, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS) return rc;
    }
    return MPI_SUCCESS;
}

// MPI counts are int: a count or displacement of 2^31 bytes or more is refused (MPI_ERR_COUNT);
// the Swift layer sends larger exchanges in rounds.
static int to_int_counts(const int64_t *counts, const int64_t *displacements, int n, int *c, int *d) {
    for (int r = 0; r < n; r++) {
        if (counts[r] < 0 || displacements[r] < 0 || counts[r] + displacements[r] > INT32_MAX) return MPI_ERR_COUNT;
        c[r] = (int)counts[r];
        d[r] = (int)displacements[r];
    }
    return MPI_SUCCESS;
}

int reckit_mpi_allgatherv(const void *send, int64_t send_bytes, void *receive, const int64_t *counts, const int64_t *displacements) {
    int n = reckit_mpi_size();
    int *c = malloc(sizeof(int) * (size_t)n), *d = malloc(sizeof(int) * (size_t)n);
    int rc = MPI_ERR_NO_MEM;
    if (c && d) {
        rc = to_int_counts(counts, displacements, n, c, d);
        if (rc == MPI_SUCCESS && (send_bytes < 0 || send_bytes > INT32_MAX)) rc = MPI_ERR_COUNT;
        if (rc == MPI_SUCCESS) rc = MPI_Allgatherv(send, (int)send_bytes, MPI_BYTE, receive, c, d, MPI_BYTE, MPI_COMM_WORLD);
    }
    free(c); free(d);
    return rc;
}

int reckit_mpi_alltoallv(const void *send, const int64_t *send_counts, const int64_t *send_displacements,
                         void *receive, const int64_t *receive_counts, const int64_t *receive_displacements) {
    int n = reckit_mpi_size();
    int *sc = malloc(sizeof(int) * (size_t)n), *sd = malloc(sizeof(int) * (size_t)n);
    int *rcnt = malloc(sizeof(int) * (size_t)n), *rd = malloc(sizeof(int) * (size_t)n);
    int rc = MPI_ERR_NO_MEM;
    if (sc && sd && rcnt && rd) {
        rc = to_int_counts(send_counts, send_displacements, n, sc, sd);
        if (rc == MPI_SUCCESS) rc = to_int_counts(receive_counts, receive_displacements, n, rcnt, rd);
        if (rc == MPI_SUCCESS) rc = MPI_Alltoallv(send, sc, sd, MPI_BYTE, receive, rcnt, rd, MPI_BYTE, MPI_COMM_WORLD);
    }
    free(sc); free(sd); free(rcnt); free(rd);
    return rc;
}
