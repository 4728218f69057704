/* An experiment record as bytes (xrecord_pack.h). */
#include "output/xrecord_pack.h"

#include <stdint.h>
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
