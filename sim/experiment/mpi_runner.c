/*
 * An experiment over MPI ranks (runner_internal.h): rank 0 hands out
 * (point, replication) units one at a time to whichever worker thread
 * asks, and alone writes the file, in unit order as the threads of one
 * process do (runner.c), so the file does not depend on the rank count.
 * Random streams belong to (seed, replication, firm), never to ranks.
 *
 * Messages (bytes) from a worker thread t of rank q to rank 0, tag t:
 *   HELLO  threads      once per rank, before its threads ask (tag 0)
 *   READY               a thread's first request
 *   RESULT k twins S records (xrecord_pack.c), and a request
 *   FAILED k rc text    the unit failed, and a request
 * Rank 0 answers each request on the same tag with {k, unit} or {-1, -1}:
 * stop. Rank 0 polls rather than blocks, so that a signal (Ctrl-C on
 * mpirun, or mpirun ending the job because a rank died) stops it with the
 * finished tasks in the .partial, and it does not spin a core away from
 * the workers.
 */
#define _POSIX_C_SOURCE 200809L
#include "experiment/runner_internal.h"

#include <omp.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/rep_pack.h"
#include "output/xrecord_pack.h"
#include "parallel/mpi.h"
#include "sim_internal.h"

#ifdef ZZ_HAVE_MPI
#include <mpi.h>

enum { HELLO, READY, RESULT, FAILED };

/* kind, k, twins or rc, threads */
typedef struct msg_head {
    int32_t kind, k, n, pad;
} msg_head;

/* How long rank 0 waits, once stopped, for units still out: a dead
 * worker's never come back. */
#define DRAIN_SECONDS 0.5

static void nap(void)
{
    const struct timespec ts = {0, 1000000}; /* 1 ms: a unit takes far longer */
    nanosleep(&ts, NULL);
}

static void failed(run *e, int rc, const char *fmt, ...)
{
    if (e->failed_rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    e->failed_rc = rc;
    vsnprintf(e->failed_msg, sizeof e->failed_msg, fmt, ap);
    va_end(ap);
}

/* compare: each scenario's result and its twin's, each as a length and
 * rep_pack.c's bytes */
static size_t results_size(const run *e, const unit_out *u)
{
    size_t n = 0;
    for (int s = 0; s < e->S; s++)
        n += 2 * sizeof(uint64_t) + zz_rep_packed_size(u->res[s]) + zz_rep_packed_size(u->cf[s]);
    return n;
}

static void pack_results(const run *e, const unit_out *u, unsigned char *buf)
{
    for (int s = 0; s < e->S; s++)
        for (int c = 0; c < 2; c++) {
            const zz_rep_result *r = c ? u->cf[s] : u->res[s];
            const uint64_t n = zz_rep_packed_size(r);
            memcpy(buf, &n, sizeof n);
            zz_rep_pack(r, buf + sizeof n);
            buf += sizeof n + n;
        }
}

static int take_results(run *e, const unsigned char *buf, int len, const msg_head *h,
                        unit_out *u)
{
    const unsigned char *p = buf + sizeof *h, *end = buf + len;
    for (int s = 0; s < e->S; s++)
        for (int c = 0; c < 2; c++) {
            uint64_t n;
            if (end - p < (ptrdiff_t)sizeof n) {
                zz_unit_free(u, e->S);
                return ZZ_ERROR;
            }
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            zz_rep_result *r = (uint64_t)(end - p) >= n ? zz_rep_unpack(p, n) : NULL;
            if (!r) {
                zz_unit_free(u, e->S);
                return ZZ_ERROR;
            }
            *(c ? &u->cf[s] : &u->res[s]) = r;
            p += n;
        }
    e->slot[h->k] = u;
    return ZZ_OK;
}

static int take_result(run *e, const unsigned char *buf, int len, const msg_head *h)
{
    const size_t rec = zz_xrecord_packed_size(&e->L);
    if (h->k < 0 || h->k >= e->nunits || e->slot[h->k] ||
        (!e->opt->compare && (size_t)len != sizeof *h + (size_t)e->S * rec))
        return ZZ_ERROR;
    unit_out *u = calloc(1, sizeof *u);
    if (!u)
        return ZZ_NOMEM;
    u->twins = h->n;
    if (e->opt->compare)
        return take_results(e, buf, len, h, u);
    for (int s = 0; s < e->S; s++) {
        zz_xrecord *r = u->rec[s] = zz_xrecord_alloc(&e->L);
        if (!r || zz_xrecord_unpack(&e->L, buf + sizeof *h + s * rec, r)) {
            zz_unit_free(u, e->S);
            return r ? ZZ_ERROR : ZZ_NOMEM;
        }
        if (e->L.cells)
            r->firms = e->pops[e->pop_of[r->point * e->S + r->scenario]]->cell_firms;
    }
    e->slot[h->k] = u;
    return ZZ_OK;
}

void zz_mpi_hand_out(run *e)
{
    const int workers = zz_mpi_size() - 1;
    int hellos = 0, next = 0, out = 0, lost_rank = -1;
    long askers = 0, stopped = 0;
    double stop_at = -1;
    unsigned char *buf = NULL;
    size_t cap = 0;
    /* which rank holds each unit handed out (-1: none), to name the lost */
    int *holder = malloc((size_t)(e->nunits ? e->nunits : 1) * sizeof *holder);
    if (!holder) {
        failed(e, ZZ_NOMEM, "out of memory");
        return;
    }
    for (int k = 0; k < e->nunits; k++)
        holder[k] = -1;
    while (hellos < workers || stopped < askers) {
        MPI_Status st;
        int flag = 0, len;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (stop_at < 0 && (e->failed_rc || lost_rank >= 0 || zz_interrupt_pending()))
            stop_at = omp_get_wtime();
        if (!flag) {
            /* what is still out after a stop may never come back */
            if (stop_at >= 0 && (out == 0 || omp_get_wtime() - stop_at > DRAIN_SECONDS))
                break;
            nap();
            continue;
        }
        MPI_Get_count(&st, MPI_BYTE, &len);
        if ((size_t)len > cap) {
            unsigned char *b = realloc(buf, (size_t)len);
            if (!b) {
                failed(e, ZZ_NOMEM, "out of memory for a unit from rank %d", st.MPI_SOURCE);
                break;
            }
            buf = b;
            cap = (size_t)len;
        }
        MPI_Recv(buf, len, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        msg_head h;
        memcpy(&h, buf, sizeof h);
        if (h.kind == HELLO) {
            hellos++;
            askers += h.n;
            continue;
        }
        if ((h.kind == RESULT || h.kind == FAILED) && h.k >= 0 && h.k < e->nunits)
            holder[h.k] = -1;
        if (h.kind == RESULT) {
            out--;
            int rc = take_result(e, buf, len, &h);
            if (rc)
                failed(e, rc, "%sa unit from rank %d that does not fit the experiment",
                       rc == ZZ_NOMEM ? "out of memory for " : "", st.MPI_SOURCE);
        } else if (h.kind == FAILED) {
            out--;
            if (h.n == ZZ_INTERRUPTED)
                lost_rank = st.MPI_SOURCE;
            else
                failed(e, h.n, "%.900s", (const char *)buf + sizeof h);
        }
        int reply[2] = {-1, -1};
        if (stop_at < 0 && next < e->nunits) {
            reply[0] = next;
            holder[next] = st.MPI_SOURCE;
            reply[1] = e->units[next++];
            out++;
        } else {
            stopped++;
        }
        MPI_Send(reply, 2, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD);
        zz_drain(e);
    }
    free(buf);
    /* every worker has been told to stop: end together, with one rc */
    const int clean = hellos == workers && stopped == askers;
    if (stop_at >= 0 && !e->failed_rc) {
        /* interrupted, or a rank stopped: keep every finished unit, also those
         * behind one that never came back */
        e->skip_gaps = 1;
        zz_drain(e);
        char why[128] = "";
        if (lost_rank >= 0)
            snprintf(why, sizeof why, " (rank %d was stopped by a signal)", lost_rank);
        for (int k = 0, n = 0; k < e->nunits && n < 4; k++)
            if (holder[k] >= 0 && lost_rank < 0)
                n++, snprintf(why + strlen(why), sizeof why - strlen(why), "%s%d",
                              n == 1 ? " (lost: rank " : ", ", holder[k]);
        if (why[0] && lost_rank < 0)
            snprintf(why + strlen(why), sizeof why - strlen(why), ", unfinished after %.1f s: "
                     "killed or out of memory?)", DRAIN_SECONDS);
        failed(e, ZZ_INTERRUPTED, "interrupted%s after %ld of %ld tasks; zhizao explore --resume "
               "continues, on any number of ranks", why, e->tasks_done, (long)e->P * e->S * e->R);
    }
    free(holder);
    if (clean)
        zz_mpi_agree(e->failed_rc);
}

/* A test hook: ZZ_TEST_MPI_DIE=RANK:UNITS makes that rank exit, as a
 * killed worker would, right after sending its UNITS-th unit. */
static int die_after(void)
{
    const char *v = getenv("ZZ_TEST_MPI_DIE");
    int rank, units;
    if (v && sscanf(v, "%d:%d", &rank, &units) == 2 && rank == zz_mpi_rank())
        return units;
    return 0;
}

int zz_mpi_work(run *e, char *err, size_t errlen)
{
    int threads = e->opt->threads > 0 ? e->opt->threads : omp_get_max_threads(), level;
    /* an MPI that cannot take calls from several threads (one at a time)
     * gets one thread per rank */
    MPI_Query_thread(&level);
    if (level < MPI_THREAD_SERIALIZED)
        threads = 1;
    const size_t rec = zz_xrecord_packed_size(&e->L);
    const int die = die_after();
    int sent = 0;
    msg_head hello = {HELLO, 0, threads, 0};
    MPI_Send(&hello, sizeof hello, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        /* the message: a head and a failure's text, or the unit's results */
        size_t cap = sizeof(msg_head) + 1024;
        unsigned char *buf = malloc(cap);
        if (!buf) {
            /* rank 0 counts on this thread: end the job */
            fprintf(stderr, "zhizao: rank %d: out of memory\n", zz_mpi_rank());
            MPI_Abort(MPI_COMM_WORLD, ZZ_NOMEM);
        }
        msg_head h = {READY, 0, 0, 0};
        size_t len = sizeof h;
        for (;;) {
            int unit[2], mine;
            memcpy(buf, &h, sizeof h);
            /* MPI_THREAD_SERIALIZED: one thread in MPI at a time; rank 0
             * answers at once, so the wait inside is short */
#pragma omp critical(zz_mpi)
            {
                MPI_Send(buf, (int)len, MPI_BYTE, 0, t, MPI_COMM_WORLD);
                MPI_Recv(unit, 2, MPI_INT, 0, t, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                mine = sent += h.kind != READY;
            }
            if (die && mine >= die)
                _exit(9);
            if (unit[0] < 0)
                break;
            unit_out *u = calloc(1, sizeof *u);
            char text[1024] = "out of memory";
            int rc = u ? zz_run_unit(e, unit[1] / e->R, unit[1] % e->R, u, text, sizeof text)
                       : ZZ_NOMEM;
            const size_t need = sizeof h + (rc ? 0 : e->opt->compare ? results_size(e, u)
                                                                     : e->S * rec);
            if (!rc && need > cap) {
                unsigned char *b = realloc(buf, need);
                if (b) {
                    buf = b;
                    cap = need;
                } else {
                    rc = ZZ_NOMEM;
                }
            }
            if (rc) {
                h = (msg_head){FAILED, unit[0], rc, 0};
                len = sizeof h + strlen(text) + 1;
                memcpy(buf + sizeof h, text, strlen(text) + 1);
            } else {
                h = (msg_head){RESULT, unit[0], u->twins, 0};
                len = need;
                if (e->opt->compare)
                    pack_results(e, u, buf + sizeof h);
                for (int s = 0; s < e->S && !e->opt->compare; s++)
                    zz_xrecord_pack(&e->L, u->rec[s], buf + sizeof h + s * rec);
            }
            zz_unit_free(u, e->S);
        }
        free(buf);
    }
    /* rank 0 speaks of the outcome; this rank ends with its rc */
    int rc = zz_mpi_agree(ZZ_OK);
    if (rc)
        snprintf(err, errlen, "rank 0 stopped the job");
    return rc;
}
#else
void zz_mpi_hand_out(run *e)
{
    e->failed_rc = ZZ_ERROR;
    snprintf(e->failed_msg, sizeof e->failed_msg, "built without MPI");
}

int zz_mpi_work(run *e, char *err, size_t errlen)
{
    snprintf(err, errlen, "built without MPI");
    return ZZ_ERROR;
}
#endif
