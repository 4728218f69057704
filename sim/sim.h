/*
 * The kernel (sim.c, sim_access.c, accounting.c, targets.c, rep_result.c;
 * docs/architecture.md): one replication, from the configuration and the
 * population to the result it hands on (rep_result.h). It offers
 * zz_sim_open_cfg, the run, what scenario functions may read and change,
 * and this state. It may include policy/, model/, the schema and engine/,
 * never scenario/ (the binding hands it zz_script_ops), output/,
 * parallel/, the drivers or cli/.
 *
 * One replication in progress: the engine's clock and queue, the firms'
 * dynamic state, the programmes' ledgers, the aggregates and the buffers of
 * observations. Everything a replication touches hangs off this handle, so
 * replications on different threads share nothing writable.
 */
#ifndef ZZ_SIM_H
#define ZZ_SIM_H

#include <stdint.h>

#include "engine/queue.h"
#include "engine/rng.h"
#include "model/population.h"
#include "rep_result.h"
#include "policy/ledger.h"
#include "config.h"
#include "model/model.h"

/* Event kinds, in the order ties at one instant are resolved: observe first
 * (a month-end snapshot shows the month, not the next day's actions), then
 * the calendar (fiscal year, scheduled actions, programmes' own events),
 * then firms. */
enum zz_event_kind {
    ZZ_EV_OBSERVE,
    ZZ_EV_FISCAL_YEAR,
    ZZ_EV_ACTION,
    ZZ_EV_PROGRAMME,        /* a programme's own event: gen = programme | tag
                               << ZZ_PROG_BITS, id its payload (instrument.h) */
    /* from here on, events belong to a firm and carry its generation */
    ZZ_EV_REVIEW,           /* firm: adoption review                        */
    ZZ_EV_AWARE,            /* firm: hears of a workable AI project          */
    ZZ_EV_DECIDED,          /* firm: its applications for support decided   */
    ZZ_EV_IMPL_DONE,        /* firm: implementation finished                 */
    ZZ_NEVENT_KINDS
};
#define ZZ_PROG_BITS 6      /* ZZ_MAX_PROGRAMMES = 64 */

/* How an economic review ended, for the profile below. */
enum zz_review_end {
    ZZ_END_IDLE,            /* implementing or scaled: nothing to review    */
    ZZ_END_OUT_OF_REACH,    /* the draw beyond the bound: support not valued */
    ZZ_END_VALUED,          /* valued with the support held, no prospect   */
    ZZ_END_PROSPECTS,       /* valued with and without prospects            */
    ZZ_NREVIEW_ENDS
};

/* Where a run's time goes (a build with -DZZ_PROFILE=ON; bench_rule prints
 * it): ticks (the CPU's time-stamp counter) inside zz_sim_run, spent
 * dispatching each kind of event, each way a review ended and each
 * instrument's programme events; the rest is the queue and the loop. */
typedef struct zz_profile {
    uint64_t run;
    uint64_t ticks[ZZ_NEVENT_KINDS], n[ZZ_NEVENT_KINDS];
    uint64_t review_ticks[ZZ_NREVIEW_ENDS], review_n[ZZ_NREVIEW_ENDS];
    uint64_t prog_ticks[ZZ_MAX_INSTRUMENTS], prog_n[ZZ_MAX_INSTRUMENTS];
    int review_end;                /* set by the review being dispatched    */
} zz_profile;
#ifdef ZZ_PROFILE
#define ZZ_PROFILE_END(sim, e) ((sim)->prof.review_end = (e))
#else
#define ZZ_PROFILE_END(sim, e) ((void)0)
#endif
/* The run's profile, or NULL in a build without ZZ_PROFILE. */
const zz_profile *zz_sim_profile(const zz_sim *sim);

/* firm dynamic flags */
enum {
    ZZ_D_AWARE = 1,
    ZZ_D_SCALING = 2,       /* adopted and implementing the scale-up         */
    /* Set through the effect API (policy/instrument.h) so that the hot path
     * reads an instrument's per-firm state only for firms that have some:
     * the flags sit in the record every event loads. */
    ZZ_D_LAPSES = 4,        /* holds support that lapses (cleared and
                               re-asserted at each review)                  */
    ZZ_D_KEEPS = 8,         /* has lasting support (a hire, an investment,
                               onboarding)                                   */
    ZZ_D_BACKED = 16        /* borrowed under a guarantee: supported though
                               no money may reach it (zz_firm_mark_backed)   */
};

typedef struct zz_firm_dyn {
    uint32_t reviews;              /* reviews so far (draw index)           */
    uint16_t gen;                  /* generation of the live event          */
    uint8_t state;                 /* enum zz_state                          */
    uint8_t dflags;                /* ZZ_D_*                                 */
    uint8_t failures;
    uint8_t impls;                 /* implementations started (draw index)  */
    uint16_t owed;                 /* instruments that settle something when
                                      the project ends (zz_firm_mark_due)   */
} zz_firm_dyn;
_Static_assert(sizeof(zz_firm_dyn) == 12, "the firm's dynamic record stays 12 bytes");

/* Per-programme state of a replication: the ledger plus the instrument's
 * own (prog_bytes). */
typedef struct zz_prog_state {
    zz_ledger ledger;
    void *own;
} zz_prog_state;

/* What the economic rule's valuation and the programmes' filters read of a
 * firm's fixed attributes, copied from the population's arrays into one
 * record per firm at the start of a replication (economic rule only): a
 * review then loads one cache line, not one per array. 32 bytes, aligned:
 * two firms a line, none across two. To add an attribute: a member here
 * (it takes a byte of `spare`, or four) and a line in zz_firm_attrs_fill. */
typedef struct zz_firm_attr {
    float revenue, readiness, liquidity, hurdle;
    uint32_t leader;               /* ZZ_NO_LEADER if none                  */
    uint8_t city, industry, size, flags;
    uint16_t ci;                   /* city x industry peer group            */
    uint16_t cls;                  /* class: cell x above-size (prog_cls)   */
    float return_z;                /* the firm's project-return draw        */
} zz_firm_attr;
_Static_assert(sizeof(zz_firm_attr) == 32, "zz_firm_attr is two to a cache line");

struct zz_inst;

/* What a replication asks of the scenario binding (sim/scenario/): the
 * scenario's at()/when() functions and a scenario-defined decision rule.
 * The binding hands this table to zz_sim_open_cfg (its zz_sim_open does),
 * so the kernel names nothing above it. */
typedef struct zz_script zz_script;
typedef struct zz_script_ops {
    /* re-executes the scenario for this replication, bound to sim */
    int (*open)(zz_script **out, const zz_config *cfg, zz_sim *sim, char *err, size_t errlen);
    /* runs action `index` (cfg->action[index]); *fired: a trigger fired */
    int (*action)(zz_script *s, int index, int *fired, char *err, size_t errlen);
    void (*close)(zz_script *s);
    const zz_rule_ops *rule;       /* decision "lua"                         */
} zz_script_ops;

/* Outcomes of finished projects, as firms see them (model/learning.c):
 * decayed successes and failures per firm of each city x industry, each
 * industry and the province, publicised benchmarks' per industry, and per
 * chain leader. Stored x 2^((day - t0) / half_life), so that one factor
 * per day decays them all. */
typedef struct zz_learning {
    double *cell;                  /* [ci | C*I + industry | C*I + I |
                                      C*I + I + 1 + industry][2]:
                                      successes, failures                   */
    double *lead;                  /* [firm][2] a leader's own, or NULL     */
    double t0, half_life;          /* reference day of the scale, its h     */
    double day, decay;             /* 2^-((day - t0) / h) for that day      */
    int publicised;                /* the outcome being settled is a
                                      contest benchmark's                   */
} zz_learning;

/* The per-firm hooks of the instrument interface (policy/instrument.h):
 * for each, the instruments of this replication that have it, so that a
 * review calls those and does not walk every instrument (ZZ_EACH_HOOKED). */
enum zz_hook {
    ZZ_HOOK_SUPPORT, ZZ_HOOK_LIQUIDITY, ZZ_HOOK_PREMIUM, ZZ_HOOK_FINANCE, ZZ_HOOK_SUCCESS,
    ZZ_HOOK_CAPABILITY, ZZ_HOOK_ON_REVIEW, ZZ_HOOK_PROSPECT, ZZ_HOOK_APPLY, ZZ_HOOK_DECIDED,
    ZZ_HOOK_REVIEW_BY, ZZ_HOOK_ON_START, ZZ_HOOK_ON_FINISH, ZZ_HOOK_ON_ADOPT, ZZ_NHOOKS
};

struct zz_sim {
    const zz_population *pop;
    zz_config cfg;                 /* this replication's own copy: scenario
                                      actions may change parameters          */
    int replicate, counterfactual;
    char errmsg[1024];
    int rc;

    /* engine */
    zz_queue queue;
    double now;
    uint64_t events;
    int stop;
    zz_event current;              /* the event being processed              */
    int stopped_early;             /* a scenario called sim:stop()          */
    zz_event stopped_at;           /* ... while processing this event       */
    int has_stop_after;            /* a twin stops where its policy run did */
    zz_event stop_after;
    zz_rng rng;
    zz_rng scenario_rng;           /* math.random in scenario functions     */
    const zz_rule_ops *rule;

    /* firms' dynamic state: what every event touches sits together in one
     * 12-byte record (one cache miss per event, not one per field); the
     * rest in arrays read more rarely */
    zz_firm_dyn *firm;
    zz_firm_attr *attr;            /* economic rule only, else NULL         */
    float *t_adopt;                /* day adopted, or -1                    */
    float *invest;                 /* actual investment of the project      */
    /* Money paid to each firm by each programme (firm caps, the per-firm
     * record, the supported-adopter count): a row of nprog per firm that
     * has received anything, in the order of first payment. Most firms
     * receive nothing, so the rows touched stay few and close together. */
    uint32_t *receipt_row;         /* [firm] its row, 0 if none             */
    double *received;              /* [row][programme]; row 0 unused        */
    uint32_t nreceipt_rows;        /* rows handed out, counting row 0       */
    double compute_demand;         /* PFLOPS used by adopters               */
    double annuity, annuity_years, annuity_rate; /* the valuation's factor,
                                      for these parameters                 */
    /* technology's factors for the day clock_day (rule_economic.c):
     * compute and model costs, gains; for these rates */
    double clock_day, cost_factor, gain_factor, clock_fall, clock_growth;
    zz_learning learn;             /* outcomes firms have seen (learning.c) */

    /* aggregates: counts per cell x state, all firms and 规上 only. Peer
     * shares read the derived totals, each kept current in O(1). */
    int ncells;
    int32_t *count;                /* [cell][state]                          */
    int32_t *count_gsz;
    int32_t *adopted_ci;           /* [city][industry] adopted or scaled    */
    int32_t *firms_ci;
    int32_t *adopted_i, *firms_i;  /* [industry]                            */
    int32_t *adopted_c, *firms_c;  /* [city]                                */
    int64_t adopted_all;

    /* programmes */
    int nprog;
    zz_prog_state prog[ZZ_MAX_PROGRAMMES];
    uint64_t *prog_cls;            /* [firm class] programmes whose fixed
                                      filter covers the class (programme.c) */
    /* instruments with at least one programme, in table order */
    struct zz_inst *inst;
    int ninst;
    int8_t inst_of[ZZ_MAX_INSTRUMENTS];  /* table row -> index in inst, -1 */
    struct zz_inst *hooked[ZZ_NHOOKS][ZZ_MAX_INSTRUMENTS + 1];  /* NULL-ended */

    /* targets */
    double *target_reached;        /* [G] day reached or NAN                */
    int32_t *target_firms;         /* [G] firms in the group                */
    int32_t *target_adopted;       /* [G] adopted firms in the group        */
    uint64_t *target_cls;          /* [cell x above-size] the targets that
                                      count that class of firms (bit g)    */

    /* observations */
    zz_rep_result *res;
    int nobs, obs_next;
    double *obs_time;

    /* scenario callbacks */
    const zz_script_ops *script_ops; /* NULL: a scenario without functions */
    zz_script *script;
    uint8_t *action_done;          /* when() triggers fire once             */

    zz_profile prof;               /* filled only with ZZ_PROFILE           */
};

/* One replication of cfg (copied) on pop: zz_sim_open (zhizao.h) without
 * the scenario, for the binding that offers `script` (may be NULL when cfg
 * has no at()/when() functions and no rule "lua"). */
int zz_sim_open_cfg(zz_sim **out, const zz_config *cfg, const zz_script_ops *script,
                    const zz_population *pop, int replicate, int counterfactual);

/* ---- what scenario functions may read and change (sim_access.c;
 *      zz_sim_set is the binding's: scenario/scenario.h) ---- */

/* Adopted (pilot or scaled) share of the firms matching f; 0 if none. */
double zz_sim_share(const zz_sim *sim, const zz_filter *f);
/* Index of a programme by name ("voucher.compute"), or -1. */
int zz_sim_programme(const zz_sim *sim, const char *name);
/* Money left in a programme's pot (not committed, not disbursed). */
double zz_sim_budget_left(const zz_sim *sim, int programme);
/* Opens a contest round now (its window then runs for closes - opens days). */
int zz_sim_open_round(zz_sim *sim, int programme, char *err, size_t errlen);
/* Uniform in [0,1) from the replication's scenario stream. */
double zz_sim_uniform(zz_sim *sim);
const zz_config *zz_sim_config(const zz_sim *sim);

/* ---- observation (sim.c) ---- */
void zz_sim_observe(zz_sim *sim, int index);

#endif
