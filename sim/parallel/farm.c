/* The task farm over MPI ranks (farm.h). */
#define _POSIX_C_SOURCE 200809L
#include "parallel/farm.h"

#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/grow.h"
#include "engine/interrupt.h"
#include "parallel/mpi.h"
#include "zhizao/zhizao.h"

/* kind, k, n or rc, pad */
typedef struct msg_head {
    int32_t kind, k, n, pad;
} msg_head;

unsigned char *zz_farm_reserve(zz_farm_buf *b, size_t n)
{
    const size_t at = b->len < sizeof(msg_head) ? sizeof(msg_head) : b->len;
    unsigned char *p = zz_grow(b->p, &b->cap, at + n, 1);
    if (!p)
        return NULL;
    b->p = p;
    b->len = at + n;
    return b->p + at;
}

#ifdef ZZ_HAVE_MPI
#include <mpi.h>

enum { HELLO, READY, RESULT, FAILED };

/* How long rank 0 waits, once stopped, for tasks still out: a dead
 * worker's never come back, and a live one stopped by the same signal
 * answers at once. Short, because when a rank dies mpirun sends the others
 * SIGTERM and, 1 s later (odls_base_sigkill_timeout), SIGKILL: rank 0 has
 * that second to write out what came back and say so. */
#define DRAIN_SECONDS 0.3

static void nap(void)
{
    const struct timespec ts = {0, 1000000}; /* 1 ms: a task takes far longer */
    nanosleep(&ts, NULL);
}

static void failed(zz_farm_end *end, int rc, const char *msg, int from)
{
    if (end->rc)
        return;
    end->rc = rc;
    if (from >= 0)
        snprintf(end->msg, sizeof end->msg, "%stask from rank %d that does not fit the job",
                 rc == ZZ_NOMEM ? "out of memory for a " : "a ", from);
    else
        snprintf(end->msg, sizeof end->msg, "%.1000s", msg);
}

void zz_farm_hand_out(const zz_farm *f, zz_farm_end *end)
{
    const int workers = zz_mpi_size() - 1, N = f->ntasks;
    int hellos = 0, next = 0, out = 0, lost_rank = -1, write_failed = 0;
    long askers = 0, stopped = 0;
    double stop_at = -1;
    unsigned char *buf = NULL;
    size_t cap = 0;
    memset(end, 0, sizeof *end);
    /* which rank holds each task handed out (-1: none), to name the lost */
    int *holder = malloc((size_t)(N ? N : 1) * sizeof *holder);
    if (!holder) {
        failed(end, ZZ_NOMEM, "out of memory", -1);
        return;
    }
    for (int k = 0; k < N; k++)
        holder[k] = -1;
    while (hellos < workers || stopped < askers) {
        MPI_Status st;
        int flag = 0, len;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (stop_at < 0 && (end->rc || write_failed || lost_rank >= 0 || zz_interrupt_pending()))
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
            unsigned char *b = zz_grow(buf, &cap, (size_t)len, 1);
            if (!b) {
                failed(end, ZZ_NOMEM, "out of memory for a task's result", -1);
                break;
            }
            buf = b;
        }
        MPI_Recv(buf, len, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        msg_head h;
        memcpy(&h, buf, sizeof h);
        if (h.kind == HELLO) {
            hellos++;
            askers += h.n;
            continue;
        }
        const int known = h.k >= 0 && h.k < N && holder[h.k] == st.MPI_SOURCE;
        if ((h.kind == RESULT || h.kind == FAILED) && known) {
            holder[h.k] = -1;
            out--;
        }
        if (h.kind == RESULT) {
            int rc = known ? f->take(f->ctx, h.k, h.n, buf + sizeof h, (size_t)len - sizeof h)
                           : ZZ_ERROR;
            if (rc)
                failed(end, rc, "", st.MPI_SOURCE);
        } else if (h.kind == FAILED) {
            if (h.n == ZZ_INTERRUPTED)
                lost_rank = st.MPI_SOURCE;
            else
                failed(end, h.n, (const char *)buf + sizeof h, -1);
        }
        int reply[2] = {-1, -1};
        if (stop_at < 0 && next < N) {
            reply[0] = next;
            holder[next] = st.MPI_SOURCE;
            reply[1] = f->what ? f->what[next] : next;
            next++;
            out++;
        } else {
            stopped++;
        }
        MPI_Send(reply, 2, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD);
        write_failed |= f->drain(f->ctx);
    }
    free(buf);
    end->clean = hellos == workers && stopped == askers;
    end->stopped = stop_at >= 0 && !end->rc && !write_failed;
    if (end->stopped && lost_rank >= 0)
        snprintf(end->why, sizeof end->why, " (rank %d was stopped by a signal)", lost_rank);
    for (int k = 0, n = 0; end->stopped && lost_rank < 0 && k < N && n < 4; k++)
        if (holder[k] >= 0)
            n++, snprintf(end->why + strlen(end->why), sizeof end->why - strlen(end->why), "%s%d",
                          n == 1 ? " (lost: rank " : ", ", holder[k]);
    if (end->why[0] && lost_rank < 0)
        snprintf(end->why + strlen(end->why), sizeof end->why - strlen(end->why),
                 ", unfinished after %.1f s: killed or out of memory?)", DRAIN_SECONDS);
    free(holder);
}

/* A test hook: ZZ_TEST_MPI_DIE=RANK:TASKS makes that rank exit, as a
 * killed worker would, right after sending its TASKS-th result. */
static int die_after(void)
{
    const char *v = getenv("ZZ_TEST_MPI_DIE");
    int rank, tasks;
    if (v && sscanf(v, "%d:%d", &rank, &tasks) == 2 && rank == zz_mpi_rank())
        return tasks;
    return 0;
}

void zz_farm_work(const zz_farm *f)
{
    int threads = f->threads > 0 ? f->threads : omp_get_max_threads(), level;
    /* an MPI that cannot take calls from several threads (one at a time)
     * gets one thread per rank */
    MPI_Query_thread(&level);
    if (level < MPI_THREAD_SERIALIZED)
        threads = 1;
    const int die = die_after();
    int sent = 0;
    msg_head hello = {HELLO, 0, threads, 0};
    MPI_Send(&hello, sizeof hello, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        zz_farm_buf b = {0};
        if (!zz_farm_reserve(&b, 1024)) {
            /* rank 0 counts on this thread: end the job */
            fprintf(stderr, "zhizao: rank %d: out of memory\n", zz_mpi_rank());
            MPI_Abort(MPI_COMM_WORLD, ZZ_NOMEM);
        }
        msg_head h = {READY, 0, 0, 0};
        b.len = sizeof h;
        for (;;) {
            int task[2], mine;
            memcpy(b.p, &h, sizeof h);
            /* MPI_THREAD_SERIALIZED: one thread in MPI at a time; rank 0
             * answers at once, so the wait inside is short */
#pragma omp critical(zz_mpi)
            {
                MPI_Send(b.p, (int)b.len, MPI_BYTE, 0, t, MPI_COMM_WORLD);
                MPI_Recv(task, 2, MPI_INT, 0, t, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                mine = sent += h.kind != READY;
            }
            if (die && mine >= die)
                _exit(9);
            if (task[0] < 0)
                break;
            char text[1024] = "out of memory";
            int n = 0;
            b.len = sizeof h;
            int rc = f->run(f->ctx, task[1], &b, &n, text, sizeof text);
            if (rc) {
                b.len = sizeof h;
                const size_t tl = strlen(text) + 1;
                unsigned char *p = zz_farm_reserve(&b, tl);
                if (p)
                    memcpy(p, text, tl);
                else
                    b.len = sizeof h; /* the rc alone */
                h = (msg_head){FAILED, task[0], rc, 0};
            } else {
                h = (msg_head){RESULT, task[0], n, 0};
            }
        }
        free(b.p);
    }
}
#else
void zz_farm_hand_out(const zz_farm *f, zz_farm_end *end)
{
    (void)f;
    memset(end, 0, sizeof *end);
    end->rc = ZZ_ERROR;
    snprintf(end->msg, sizeof end->msg, "built without MPI");
}

void zz_farm_work(const zz_farm *f) { (void)f; }
#endif
