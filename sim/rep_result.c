/*
 * Per-replication result buffers. Filled by a simulation thread, handed to
 * the writer thread, freed after zz_writer_put.
 */
#include "rep_result.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* calloc(0) may legally return NULL, which would look like a failure for a
 * scenario without targets or programmes; one spare element avoids that. */
static void *alloc_n(size_t n, size_t size)
{
    if (n > SIZE_MAX / size - 1)
        return NULL;
    return calloc(n + 1, size);
}

zz_rep_result *zz_rep_result_alloc(int ntime, int ncells, int nprogrammes, int ntargets,
                                   int nrounds)
{
    if (ntime < 0 || ncells < 0 || nprogrammes < 0 || ntargets < 0 || nrounds < 0)
        return NULL;
    zz_rep_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ntime = ntime;
    r->ncells = ncells;
    r->nprogrammes = nprogrammes;
    r->ntargets = ntargets;
    r->nrounds = nrounds;

    size_t t = (size_t)ntime;
    if (ncells && t > SIZE_MAX / (size_t)ncells)
        goto fail;
    size_t tc = t * (size_t)ncells;
    size_t tp = t * (size_t)nprogrammes;
    size_t tg = t * (size_t)ntargets;
    r->adopted = alloc_n(tc, sizeof(int32_t));
    r->implementing = alloc_n(tc, sizeof(int32_t));
    r->scaled = alloc_n(tc, sizeof(int32_t));
    r->adopted_gsz = alloc_n(tc, sizeof(int32_t));
    r->committed = alloc_n(tp, sizeof(double));
    r->spent = alloc_n(tp, sizeof(double));
    r->returned = alloc_n(tp, sizeof(double));
    r->budget = alloc_n(tp, sizeof(double));
    r->target_share = alloc_n(tg, sizeof(double));
    r->time_to_target = alloc_n((size_t)ntargets, sizeof(double));
    size_t pk = (size_t)nprogrammes * (size_t)nrounds;
    r->compute_price = alloc_n(t, sizeof(double));
    r->compute_utilisation = alloc_n(t, sizeof(double));
    r->round_bids = alloc_n(pk, sizeof(int32_t));
    r->round_winners = alloc_n(pk, sizeof(int32_t));
    r->round_successes = alloc_n(pk, sizeof(int32_t));
    r->round_rewards = alloc_n(pk, sizeof(double));
    if (!r->adopted || !r->implementing || !r->scaled || !r->adopted_gsz ||
        !r->committed || !r->spent || !r->returned || !r->budget ||
        !r->target_share || !r->time_to_target || !r->compute_price ||
        !r->compute_utilisation || !r->round_bids || !r->round_winners ||
        !r->round_successes || !r->round_rewards)
        goto fail;
    /* without a compute market the price is the list price */
    for (size_t k = 0; k < t; k++)
        r->compute_price[k] = 1;
    /* A target nobody reaches must read as "not reached", not as day 0. */
    for (int g = 0; g < ntargets; g++)
        r->time_to_target[g] = NAN;
    return r;
fail:
    zz_rep_result_free(r);
    return NULL;
}

int zz_rep_result_add_accounting(zz_rep_result *r)
{
    size_t g = (size_t)r->ntargets;
    r->additional = alloc_n(g, sizeof(int32_t));
    r->supported = alloc_n(g, sizeof(int32_t));
    r->deadweight = alloc_n(g, sizeof(int32_t));
    r->target_firms = alloc_n(g, sizeof(int32_t));
    r->deadweight_lag = alloc_n(g, sizeof(double));
    return r->additional && r->supported && r->deadweight && r->target_firms && r->deadweight_lag
               ? 0
               : -1;
}

int zz_rep_result_add_firms(zz_rep_result *r, int64_t nfirms)
{
    r->nfirms = nfirms;
    r->firm_day = alloc_n((size_t)nfirms, sizeof(double));
    if (r->nprogrammes > 0)
        r->firm_support = alloc_n((size_t)nfirms * (size_t)r->nprogrammes, sizeof(double));
    return r->firm_day && (r->nprogrammes == 0 || r->firm_support) ? 0 : -1;
}

void zz_rep_result_free(zz_rep_result *r)
{
    if (!r)
        return;
    free(r->additional);
    free(r->supported);
    free(r->deadweight);
    free(r->target_firms);
    free(r->deadweight_lag);
    free(r->firm_day);
    free(r->firm_support);
    free(r->adopted);
    free(r->implementing);
    free(r->scaled);
    free(r->adopted_gsz);
    free(r->committed);
    free(r->spent);
    free(r->returned);
    free(r->budget);
    free(r->target_share);
    free(r->time_to_target);
    free(r->compute_price);
    free(r->compute_utilisation);
    free(r->round_bids);
    free(r->round_winners);
    free(r->round_successes);
    free(r->round_rewards);
    free(r);
}
