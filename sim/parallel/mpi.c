/* The MPI job (mpi.h). The job's state is the process's MPI state, which
 * MPI itself keeps global; so is what the ranks last agreed on. */
#define _POSIX_C_SOURCE 200809L
#include "parallel/mpi.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zhizao/zhizao.h"

#ifdef ZZ_HAVE_MPI
#include <mpi.h>
#endif

static int launched_size(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"};
    /* SLURM_NTASKS alone (an sbatch script's shell) is not a launch */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK") &&
        !getenv("PMI_RANK"))
        return 0;
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return atoi(getenv(vars[i]));
    return 1;
}

#ifdef ZZ_HAVE_MPI
static int joined(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int zz_mpi_start(int *argc, char ***argv, char *err, size_t errlen)
{
    if (!launched_size())
        return ZZ_OK;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "cannot join the MPI job (MPI_Init_thread failed)");
        return ZZ_ERROR;
    }
    return ZZ_OK;
}

/* the last rc every rank agreed on (zz_mpi_agree) */
static int agreed = -1;

int zz_mpi_agree(int rc)
{
    if (!joined())
        return rc;
    MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    agreed = rc;
    return rc;
}

int zz_mpi_agree_text(int rc, char *msg, size_t len)
{
    if (!joined())
        return rc;
    int n = zz_mpi_size(), first = rc ? zz_mpi_rank() : n;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    rc = zz_mpi_agree(rc);
    if (first < n && len > 0) {
        msg[len - 1] = '\0';
        /* len is the same on every rank: the same call site */
        MPI_Bcast(msg, (int)(len < INT_MAX ? len : INT_MAX), MPI_CHAR, first, MPI_COMM_WORLD);
    }
    return rc;
}

/* MPI counts are ints: large buffers go in chunks */
#define CHUNK ((size_t)1 << 28)

void zz_mpi_sum(double *v, size_t n)
{
    if (!joined() || zz_mpi_size() == 1)
        return;
    for (size_t at = 0; at < n; at += CHUNK)
        MPI_Allreduce(MPI_IN_PLACE, v + at, (int)(n - at < CHUNK ? n - at : CHUNK), MPI_DOUBLE,
                      MPI_SUM, MPI_COMM_WORLD);
}

void zz_mpi_share(void *buf, size_t n)
{
    if (!joined() || zz_mpi_size() == 1)
        return;
    for (size_t at = 0; at < n; at += CHUNK)
        MPI_Bcast((char *)buf + at, (int)(n - at < CHUNK ? n - at : CHUNK), MPI_BYTE, 0,
                  MPI_COMM_WORLD);
}

int zz_mpi_end(int rc)
{
    if (!joined())
        return rc;
    if (rc && rc != agreed && zz_mpi_size() > 1)
        MPI_Abort(MPI_COMM_WORLD, rc);
    MPI_Finalize();
    return rc;
}

int zz_mpi_rank(void)
{
    int r = 0;
    if (joined())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int zz_mpi_size(void)
{
    int n = 1;
    if (joined())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}
#else
int zz_mpi_start(int *argc, char ***argv, char *err, size_t errlen)
{
    if (launched_size() > 1) {
        snprintf(err, errlen, "launched on %d MPI ranks, but this zhizao was built without MPI "
                 "(CMake did not find it; install libopenmpi-dev and rebuild), so every rank "
                 "would run the whole job; run it without mpirun or rebuild", launched_size());
        return ZZ_USAGE;
    }
    return ZZ_OK;
}
int zz_mpi_end(int rc) { return rc; }
int zz_mpi_agree(int rc) { return rc; }
int zz_mpi_agree_text(int rc, char *msg, size_t len) { return rc; }
void zz_mpi_sum(double *v, size_t n) {}
void zz_mpi_share(void *buf, size_t n) {}
int zz_mpi_rank(void) { return 0; }
int zz_mpi_size(void) { return 1; }
#endif

int zz_mpi_quiet_workers(void)
{
    if (zz_mpi_rank() == 0)
        return ZZ_OK;
    return freopen("/dev/null", "w", stdout) && freopen("/dev/null", "w", stderr) ? ZZ_OK : ZZ_IO;
}

void zz_mpi_where(char *out, size_t len, int threads)
{
    char host[64] = "unknown";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    const int n = zz_mpi_size();
    if (n == 1) {
        snprintf(out, len, "%s: 1 process, %d threads", host, threads);
        return;
    }
#ifdef ZZ_HAVE_MPI
    char *all = zz_mpi_rank() == 0 ? calloc((size_t)n, sizeof host) : NULL;
    MPI_Gather(host, sizeof host, MPI_CHAR, all, sizeof host, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (zz_mpi_rank() != 0)
        return;
    if (!all) {
        snprintf(out, len, "%d MPI ranks", n);
        return;
    }
    /* "host (k ranks), ...": ranks of one host are listed together by
     * counting each distinct name once, in rank order */
    size_t used = (size_t)snprintf(out, len, "%d MPI ranks (rank 0 writes, %d work), %d threads "
                                   "per rank: ", n, n - 1, threads);
    for (int i = 0; i < n && used < len; i++) {
        const char *h = all + (size_t)i * sizeof host;
        int seen = 0, k = 0;
        for (int j = 0; j < n; j++) {
            seen |= j < i && !strcmp(all + (size_t)j * sizeof host, h);
            k += !strcmp(all + (size_t)j * sizeof host, h);
        }
        if (!seen)
            used += (size_t)snprintf(out + used, len - used, "%s%s (%d)", i ? ", " : "", h, k);
    }
    free(all);
#endif
}
