/*
 * sim/parallel/, the floor of threads and ranks (docs/architecture.md). It
 * offers the MPI job this process belongs to (mpi.h) and a task farm over
 * its ranks (this header); what a task is, how its result is packed and
 * where it goes are the caller's, through callbacks. It may include
 * engine/ (the interrupt flag) and the public API's result codes, and
 * nothing of the model, the scenario or the output.
 *
 * A dynamic queue of tasks over MPI ranks (a task farm): rank 0 hands out
 * tasks one at a time to whichever worker thread asks, and takes back each
 * finished task's bytes; the other ranks run them, in as many threads as
 * they are given, until rank 0 says stop. What a task is, how its result
 * is packed and where rank 0 puts it belong to the caller (callbacks), so
 * that `explore`, `compare` (experiment/mpi_runner.c) and `run`
 * (ensemble.c) share one queue, one protocol and one fault handling.
 *
 * Messages (bytes) from worker thread t of rank q to rank 0, tag t:
 *   HELLO  threads     once per rank, before its threads ask (tag 0)
 *   READY              a thread's first request
 *   RESULT k n bytes   task k's result (n: a count the caller carries), and a request
 *   FAILED k rc text   task k failed, and a request
 * Rank 0 answers each request on the same tag with {k, what} or {-1, -1}:
 * stop. Rank 0 polls rather than blocks, so that a signal (Ctrl-C on
 * mpirun, or mpirun ending the job because a rank died) stops it with the
 * finished tasks kept, and it does not spin a core away from the workers.
 */
#ifndef ZZ_PARALLEL_FARM_H
#define ZZ_PARALLEL_FARM_H

#include <stddef.h>

/* A worker's message under construction: the payload follows a head. */
typedef struct zz_farm_buf {
    unsigned char *p;
    size_t cap, len;
} zz_farm_buf;

/* Room for n payload bytes (after those reserved so far), or NULL when out
 * of memory. The pointer is valid until the next call. */
unsigned char *zz_farm_reserve(zz_farm_buf *b, size_t n);

typedef struct zz_farm {
    void *ctx;
    int ntasks;             /* rank 0: tasks 0 .. ntasks-1, handed out in order */
    const int *what;        /* rank 0: what to send for task k ([ntasks]; NULL: k) */
    int threads;            /* workers: threads per rank */
    /* worker: runs `what` and packs its result with zz_farm_reserve; n is
     * passed on to take. Non-zero: it failed, err says why. */
    int (*run)(void *ctx, int what, zz_farm_buf *out, int *n, char *err, size_t errlen);
    /* rank 0: task k's payload; non-zero: the bytes do not fit (or out of
     * memory), and the job stops */
    int (*take)(void *ctx, int k, int n, const unsigned char *p, size_t len);
    /* rank 0: after each message, writes what it can; returns non-zero
     * once the job must stop (a write failed) */
    int (*drain)(void *ctx);
} zz_farm;

/* How rank 0's hand-out ended. */
typedef struct zz_farm_end {
    int rc;                 /* a task failed or did not fit: its rc, else 0 */
    char msg[1024];         /* ... and why */
    int stopped;            /* interrupted, or a rank lost, before every task was back */
    char why[160];          /* " (lost: rank 2, ...)" or "": which ranks, if known */
    int clean;              /* every worker was told to stop: the ranks can agree */
} zz_farm_end;

/* Rank 0 of a job of several ranks. */
void zz_farm_hand_out(const zz_farm *f, zz_farm_end *end);
/* Ranks > 0: until rank 0 says stop. */
void zz_farm_work(const zz_farm *f);

#endif
