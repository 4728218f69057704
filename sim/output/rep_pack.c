/* A run's per-replication result as bytes (rep_pack.h). */
#include "output/rep_pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* how many elements an array has, from the result's sizes */
enum { N_TC, N_TP, N_TG, N_G, N_T, N_PK, N_FIRMS, N_FIRMS_P };

/* part: 0 always there, 1 paired accounting, 2 per-firm days, 3 per-firm support */
static const struct field {
    size_t off, size;
    int n, part;
} fields[] = {
#define F(name, count, part) {offsetof(zz_rep_result, name), sizeof *((zz_rep_result *)0)->name, count, part}
    F(adopted, N_TC, 0),         F(implementing, N_TC, 0),     F(scaled, N_TC, 0),
    F(adopted_gsz, N_TC, 0),     F(committed, N_TP, 0),        F(spent, N_TP, 0),
    F(returned, N_TP, 0),        F(budget, N_TP, 0),           F(target_share, N_TG, 0),
    F(time_to_target, N_G, 0),   F(compute_price, N_T, 0),     F(compute_utilisation, N_T, 0),
    F(round_bids, N_PK, 0),      F(round_winners, N_PK, 0),    F(round_successes, N_PK, 0),
    F(round_rewards, N_PK, 0),   F(additional, N_G, 1),        F(supported, N_G, 1),
    F(deadweight, N_G, 1),       F(target_firms, N_G, 1),      F(deadweight_lag, N_G, 1),
    F(firm_day, N_FIRMS, 2),     F(firm_support, N_FIRMS_P, 3),
#undef F
};
#define NFIELDS (sizeof fields / sizeof *fields)

typedef struct head {
    int32_t replicate, ntime, ncells, nprogrammes, ntargets, nrounds, parts, pad;
    int64_t nfirms;
    uint64_t events;
} head;

static size_t count(const zz_rep_result *r, int n)
{
    const size_t t = (size_t)r->ntime;
    switch (n) {
    case N_TC: return t * (size_t)r->ncells;
    case N_TP: return t * (size_t)r->nprogrammes;
    case N_TG: return t * (size_t)r->ntargets;
    case N_G: return (size_t)r->ntargets;
    case N_T: return t;
    case N_PK: return (size_t)r->nprogrammes * (size_t)r->nrounds;
    case N_FIRMS: return (size_t)r->nfirms;
    default: return (size_t)r->nfirms * (size_t)r->nprogrammes;
    }
}

static void **slot(const zz_rep_result *r, const struct field *f)
{
    return (void **)((char *)r + f->off);
}

static int parts(const zz_rep_result *r)
{
    return (r->additional ? 2 : 0) | (r->firm_day ? 4 : 0) | (r->firm_support ? 8 : 0) | 1;
}

size_t zz_rep_packed_size(const zz_rep_result *r)
{
    size_t n = sizeof(head);
    for (size_t i = 0; i < NFIELDS; i++)
        if (parts(r) >> fields[i].part & 1)
            n += count(r, fields[i].n) * fields[i].size;
    return n;
}

void zz_rep_pack(const zz_rep_result *r, unsigned char *buf)
{
    const head h = {r->replicate, r->ntime, r->ncells, r->nprogrammes, r->ntargets, r->nrounds,
                    parts(r), 0, r->nfirms, r->events};
    memcpy(buf, &h, sizeof h);
    buf += sizeof h;
    for (size_t i = 0; i < NFIELDS; i++)
        if (h.parts >> fields[i].part & 1) {
            const size_t n = count(r, fields[i].n) * fields[i].size;
            if (n)
                memcpy(buf, *slot(r, &fields[i]), n);
            buf += n;
        }
}

zz_rep_result *zz_rep_unpack(const unsigned char *buf, size_t len)
{
    head h;
    if (len < sizeof h)
        return NULL;
    memcpy(&h, buf, sizeof h);
    zz_rep_result *r = zz_rep_result_alloc(h.ntime, h.ncells, h.nprogrammes, h.ntargets, h.nrounds);
    if (!r)
        return NULL;
    r->replicate = h.replicate;
    r->events = h.events;
    int ok = !(h.parts & 2) || !zz_rep_result_add_accounting(r);
    if (ok && (h.parts & 4)) {
        r->nfirms = h.nfirms;
        r->firm_day = malloc(((size_t)h.nfirms ? (size_t)h.nfirms : 1) * sizeof *r->firm_day);
        ok = r->firm_day != NULL;
    }
    if (ok && (h.parts & 8)) {
        size_t n = (size_t)h.nfirms * (size_t)h.nprogrammes;
        r->firm_support = malloc((n ? n : 1) * sizeof *r->firm_support);
        ok = r->firm_support != NULL;
    }
    ok = ok && zz_rep_packed_size(r) == len;
    buf += sizeof h;
    for (size_t i = 0; ok && i < NFIELDS; i++)
        if (h.parts >> fields[i].part & 1) {
            const size_t n = count(r, fields[i].n) * fields[i].size;
            if (n)
                memcpy(*slot(r, &fields[i]), buf, n);
            buf += n;
        }
    if (!ok) {
        zz_rep_result_free(r);
        return NULL;
    }
    return r;
}
