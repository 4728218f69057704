/*
 * An experiment over MPI ranks (runner_internal.h), on the task farm
 * (parallel/farm.h): rank 0 hands out (point, replication) units and alone
 * writes the file, in unit order as the threads of one process do
 * (runner.c), so the file does not depend on the rank count. Random
 * streams belong to (seed, replication, firm), never to ranks.
 *
 * A unit's payload: explore, each scenario's record (xrecord_pack.c);
 * compare, each scenario's result and its twin's, each as a length and
 * rep_pack.c's bytes. The farm's count is the twins the unit ran.
 */
#define _POSIX_C_SOURCE 200809L
#include "experiment/runner_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/rep_pack.h"
#include "output/xrecord_pack.h"
#include "parallel/farm.h"
#include "parallel/mpi.h"
#include "sim_internal.h"

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

static int take_results(run *e, const unsigned char *p, size_t len, unit_out *u)
{
    const unsigned char *end = p + len;
    for (int s = 0; s < e->S; s++)
        for (int c = 0; c < 2; c++) {
            uint64_t n;
            if (end - p < (ptrdiff_t)sizeof n)
                return ZZ_ERROR;
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            zz_rep_result *r = (uint64_t)(end - p) >= n ? zz_rep_unpack(p, n) : NULL;
            if (!r)
                return ZZ_ERROR;
            *(c ? &u->cf[s] : &u->res[s]) = r;
            p += n;
        }
    return ZZ_OK;
}

/* rank 0: unit k's payload into slot[k] */
static int take(void *ctx, int k, int twins, const unsigned char *p, size_t len)
{
    run *e = ctx;
    const size_t rec = zz_xrecord_packed_size(&e->L);
    if (e->slot[k] || (!e->opt->compare && len != (size_t)e->S * rec))
        return ZZ_ERROR;
    unit_out *u = calloc(1, sizeof *u);
    if (!u)
        return ZZ_NOMEM;
    u->twins = twins;
    int rc = e->opt->compare ? take_results(e, p, len, u) : ZZ_OK;
    for (int s = 0; s < e->S && !e->opt->compare && !rc; s++) {
        zz_xrecord *r = u->rec[s] = zz_xrecord_alloc(&e->L);
        if (!r)
            rc = ZZ_NOMEM;
        else if (zz_xrecord_unpack(&e->L, p + s * rec, r))
            rc = ZZ_ERROR;
        else if (e->L.cells)
            r->firms = e->pops[e->pop_of[r->point * e->S + r->scenario]]->cell_firms;
    }
    if (rc)
        zz_unit_free(u, e->S);
    else
        e->slot[k] = u;
    return rc;
}

static int drain(void *ctx)
{
    run *e = ctx;
    zz_drain(e);
    return e->failed_rc;
}

/* a worker: unit (point, replication) into its payload */
static int run_one(void *ctx, int unit, zz_farm_buf *out, int *twins, char *err, size_t errlen)
{
    run *e = ctx;
    unit_out *u = calloc(1, sizeof *u);
    int rc = u ? zz_run_unit(e, unit / e->R, unit % e->R, u, err, errlen) : ZZ_NOMEM;
    if (!rc) {
        const size_t rec = zz_xrecord_packed_size(&e->L);
        unsigned char *p = zz_farm_reserve(out, e->opt->compare ? results_size(e, u) : e->S * rec);
        if (!p) {
            rc = ZZ_NOMEM;
            snprintf(err, errlen, "out of memory");
        } else if (e->opt->compare) {
            pack_results(e, u, p);
        } else {
            for (int s = 0; s < e->S; s++)
                zz_xrecord_pack(&e->L, u->rec[s], p + s * rec);
        }
        *twins = u->twins;
    }
    zz_unit_free(u, e->S);
    return rc;
}

static zz_farm farm_of(run *e)
{
    return (zz_farm){.ctx = e, .ntasks = e->nunits, .what = e->units, .threads = e->opt->threads,
                     .run = run_one, .take = take, .drain = drain};
}

void zz_mpi_hand_out(run *e)
{
    const zz_farm f = farm_of(e);
    zz_farm_end end;
    zz_farm_hand_out(&f, &end);
    if (end.rc && !e->failed_rc) {
        e->failed_rc = end.rc;
        snprintf(e->failed_msg, sizeof e->failed_msg, "%s", end.msg);
    }
    if (end.stopped && !e->failed_rc) {
        /* interrupted, or a rank stopped: keep every finished unit, also those
         * behind one that never came back */
        e->skip_gaps = 1;
        zz_drain(e);
        e->failed_rc = ZZ_INTERRUPTED;
        snprintf(e->failed_msg, sizeof e->failed_msg, "interrupted%s after %ld of %ld tasks; "
                 "zhizao explore --resume continues, on any number of ranks", end.why,
                 e->tasks_done, (long)e->P * e->S * e->R);
    }
    /* every worker has been told to stop: end together, with one rc */
    if (end.clean)
        zz_mpi_agree(e->failed_rc);
}

int zz_mpi_work(run *e, char *err, size_t errlen)
{
    const zz_farm f = farm_of(e);
    zz_farm_work(&f);
    /* rank 0 speaks of the outcome; this rank ends with its rc */
    int rc = zz_mpi_agree(ZZ_OK);
    if (rc)
        snprintf(err, errlen, "rank 0 stopped the job");
    return rc;
}
