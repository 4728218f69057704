/*
 * Firm state transitions and the aggregates they keep current. Every change
 * of a firm's adoption state goes through zz_firm_set_state, which updates
 * the per-cell counts and the peer-group totals in O(1): peer shares are
 * then a division, never a scan.
 */
#include "sim.h"
#include "sim_internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static inline int is_adopted(int state)
{
    return state == ZZ_S_ADOPTED || state == ZZ_S_SCALED;
}

void zz_firm_set_state(zz_sim *sim, uint32_t f, int state)
{
    const zz_population *p = sim->pop;
    int old = sim->firm[f].state;
    if (old == state)
        return;
    /* the firm's record, when the rule keeps one, is in cache already */
    const zz_firm_attr *a = sim->attr ? &sim->attr[f] : NULL;
    int c = a ? a->city : p->city[f], i = a ? a->industry : p->industry[f];
    int64_t cell = zz_cell(p, c, i, a ? a->size : p->size[f]);
    sim->count[cell * ZZ_NSTATES + old]--;
    sim->count[cell * ZZ_NSTATES + state]++;
    if ((a ? a->flags : p->flags[f]) & ZZ_F_GSZ) {
        sim->count_gsz[cell * ZZ_NSTATES + old]--;
        sim->count_gsz[cell * ZZ_NSTATES + state]++;
    }
    int delta = is_adopted(state) - is_adopted(old);
    if (delta) {
        sim->adopted_ci[c * p->nindustries + i] += delta;
        sim->adopted_i[i] += delta;
        sim->adopted_c[c] += delta;
        sim->adopted_all += delta;
        if (delta > 0) {
            if (sim->t_adopt[f] < 0)
                sim->t_adopt[f] = (float)sim->now;
            zz_targets_on_adopt(sim, f);
        }
    }
    sim->firm[f].state = (uint8_t)state;
}

/* A firm has one live event: scheduling a new one retires the old by
 * bumping the generation (queue.h explains the lazy deletion). */
int zz_firm_schedule(zz_sim *sim, uint32_t f, int kind, double t)
{
    assert(t >= sim->now); /* the queue is monotone: nothing into the past */
    sim->firm[f].gen++;
    if (t > sim->cfg.horizon)
        return 0; /* beyond the run: nothing to do, and the heap stays small */
    zz_event e = {.t = t, .id = f, .kind = (uint16_t)kind, .gen = sim->firm[f].gen};
    if (zz_queue_push(&sim->queue, e))
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory scheduling an event of firm %u", f);
    return 0;
}

void zz_firm_attrs_fill(zz_sim *sim)
{
    const zz_population *p = sim->pop;
    for (int64_t f = 0; f < p->n; f++)
        sim->attr[f] = (zz_firm_attr){
            .revenue = p->revenue[f], .readiness = p->readiness[f],
            .liquidity = p->liquidity[f], .hurdle = p->hurdle[f],
            .leader = p->leader ? p->leader[f] : ZZ_NO_LEADER,
            .city = p->city[f], .industry = p->industry[f], .size = p->size[f],
            .flags = p->flags[f], .return_z = p->return_z[f],
            .ci = (uint16_t)(p->city[f] * p->nindustries + p->industry[f]),
            .cls = (uint16_t)(zz_cell(p, p->city[f], p->industry[f], p->size[f]) * 2 +
                              !!(p->flags[f] & ZZ_F_GSZ)),
        };
}

static inline double share(int32_t adopted, int32_t firms)
{
    return firms > 0 ? (double)adopted / firms : 0.0;
}

double zz_firm_peer_share(const zz_sim *sim, uint32_t f, int peers)
{
    const zz_population *p = sim->pop;
    switch (peers) {
    case ZZ_PEERS_INDUSTRY:
        return share(sim->adopted_i[p->industry[f]], sim->firms_i[p->industry[f]]);
    case ZZ_PEERS_CITY:
        return share(sim->adopted_c[p->city[f]], sim->firms_c[p->city[f]]);
    case ZZ_PEERS_CITY_INDUSTRY: {
        int ci = p->city[f] * p->nindustries + p->industry[f];
        return share(sim->adopted_ci[ci], sim->firms_ci[ci]);
    }
    default:
        return p->n > 0 ? (double)sim->adopted_all / (double)p->n : 0.0;
    }
}

int zz_sim_fail(zz_sim *sim, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
    sim->rc = rc;
    sim->stop = 1;
    return rc;
}
