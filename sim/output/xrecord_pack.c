/* An experiment record: its buffers, and as bytes (xrecord_pack.h). */
#include "output/xrecord_pack.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* int32 point, scenario, replicate, (pad); int64 events, cf_events */
#define HEAD (4 * sizeof(int32_t) + 2 * sizeof(int64_t))

size_t zz_xrecord_packed_size(const zz_xlayout *L)
{
    size_t nd, nc;
    zz_xrecord_sizes(L, &nd, &nc);
    return HEAD + nd * sizeof(double) + 2 * (size_t)L->ntime * nc * sizeof(int32_t);
}

void zz_xrecord_pack(const zz_xlayout *L, const zz_xrecord *r, unsigned char *buf)
{
    size_t nd, nc;
    zz_xrecord_sizes(L, &nd, &nc);
    const int32_t idx[4] = {r->point, r->scenario, r->replicate, 0};
    const int64_t ev[2] = {r->events, r->cf_events};
    memcpy(buf, idx, sizeof idx);
    memcpy(buf + sizeof idx, ev, sizeof ev);
    buf += HEAD;
    memcpy(buf, r->target_share, nd * sizeof(double));
    if (nc)
        memcpy(buf + nd * sizeof(double), r->adopted, 2 * (size_t)L->ntime * nc * sizeof(int32_t));
}

int zz_xrecord_unpack(const zz_xlayout *L, const unsigned char *buf, zz_xrecord *r)
{
    size_t nd, nc;
    zz_xrecord_sizes(L, &nd, &nc);
    int32_t idx[4];
    int64_t ev[2];
    memcpy(idx, buf, sizeof idx);
    memcpy(ev, buf + sizeof idx, sizeof ev);
    if (idx[0] < 0 || idx[0] >= L->npoints || idx[1] < 0 || idx[1] >= L->nscenarios ||
        idx[2] < 0 || idx[2] >= L->nreplicates)
        return -1;
    r->point = idx[0];
    r->scenario = idx[1];
    r->replicate = idx[2];
    r->events = ev[0];
    r->cf_events = ev[1];
    buf += HEAD;
    memcpy(r->target_share, buf, nd * sizeof(double));
    if (nc)
        memcpy(r->adopted, buf + nd * sizeof(double), 2 * (size_t)L->ntime * nc * sizeof(int32_t));
    return 0;
}

void zz_xrecord_sizes(const zz_xlayout *L, size_t *ndoubles, size_t *ncells)
{
    const size_t T = (size_t)L->ntime, G = (size_t)L->ntargets, I = (size_t)L->ninstruments;
    *ndoubles = 2 * T * G + 7 * G + 2 * T * I;
    *ncells = L->cells ? (size_t)L->ncities * L->nindustries * 4 : 0;
}

zz_xrecord *zz_xrecord_alloc(const zz_xlayout *L)
{
    const size_t T = (size_t)L->ntime, G = (size_t)L->ntargets, I = (size_t)L->ninstruments;
    size_t nd, C;
    zz_xrecord_sizes(L, &nd, &C);
    zz_xrecord *r = calloc(1, sizeof *r);
    double *d = malloc((nd ? nd : 1) * sizeof *d);
    int32_t *c = C ? calloc(2 * T * C, sizeof *c) : NULL;
    if (!r || !d || (C && !c)) {
        free(r);
        free(d);
        free(c);
        return NULL;
    }
    for (size_t i = 0; i < nd; i++)
        d[i] = NAN;
    r->target_share = d;
    r->cf_target_share = d += T * G;
    r->time_to_target = d += T * G;
    r->cf_time_to_target = d += G;
    r->additional = d += G;
    r->supported = d += G;
    r->deadweight = d += G;
    r->target_firms = d += G;
    r->deadweight_lag = d += G;
    r->committed = d += G;
    r->spent = d += T * I;
    r->adopted = c;
    r->cf_adopted = c ? c + T * C : NULL;
    return r;
}

void zz_xrecord_free(zz_xrecord *r)
{
    if (!r)
        return;
    free(r->target_share);
    free(r->adopted);
    free(r);
}
