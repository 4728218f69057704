/*
 * The MPI job this process belongs to, if any. zhizao joins MPI only when
 * a launcher started it (mpirun, srun: they set OMPI_COMM_WORLD_SIZE,
 * PMI_SIZE or PMIX_RANK); a plain run never calls MPI_Init and prints
 * nothing of MPI. Built without MPI (ZZ_HAVE_MPI unset), a launch with
 * several ranks is refused with a clear error rather than every rank
 * writing the same file.
 */
#ifndef ZZ_PARALLEL_MPI_H
#define ZZ_PARALLEL_MPI_H

#include <stddef.h>

/* Joins the job if launched by one. Returns 0, or non-zero with a message
 * in err (built without MPI but launched with several ranks). */
int zz_mpi_start(int *argc, char ***argv, char *err, size_t errlen);
/* Leaves the job: MPI_Finalize after success or a failure every rank
 * agreed on; after any other failure on a job of several ranks,
 * MPI_Abort with rc so that no rank waits forever for one that stopped.
 * Returns rc. */
int zz_mpi_end(int rc);
/* Every rank's rc, the largest: collective. A job that agreed on a
 * failure ends without MPI_Abort (zz_mpi_end), as after bad input. */
int zz_mpi_agree(int rc);
/* As zz_mpi_agree, and every rank gets the text of the lowest-numbered
 * rank that failed (msg: its own on input). Collective. */
int zz_mpi_agree_text(int rc, char *msg, size_t len);
/* v[i] summed over the ranks, on every rank. A value computed by one rank
 * and zero elsewhere comes back bit for bit whatever the rank count (x + 0
 * is x), which is how work split over ranks gives the one-process answer.
 * Collective. */
void zz_mpi_sum(double *v, size_t n);
/* n bytes from rank 0 to every rank. Collective. */
void zz_mpi_share(void *buf, size_t n);
/* Ranks > 0 print nothing from here on (stdout and stderr to /dev/null):
 * rank 0 speaks for the job, the others' failures reach it as text.
 * Returns non-zero if that failed. */
int zz_mpi_quiet_workers(void);
int zz_mpi_rank(void);          /* 0 without MPI */
int zz_mpi_size(void);          /* 1 without MPI */
/* Where this job runs, for the file: host names with their rank counts,
 * ranks and threads per rank. Collective when size > 1. */
void zz_mpi_where(char *out, size_t len, int threads);

#endif
