/*
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
#include "output/results.h"
#include "policy/ledger.h"
#include "scenario/config.h"
#include "scenario/scenario.h"

/* Event kinds, in the order ties at one instant are resolved: observe first
 * (a month-end snapshot shows the month, not the next day's actions), then
 * the calendar (fiscal year, scheduled actions, contests, campaigns), then
 * firms. */
enum zz_event_kind {
    ZZ_EV_OBSERVE,
    ZZ_EV_FISCAL_YEAR,
    ZZ_EV_ACTION,
    ZZ_EV_CONTEST_OPEN,
    ZZ_EV_CONTEST_CLOSE,
    ZZ_EV_CAMPAIGN,
    ZZ_EV_EQUITY,           /* the equity fund selects this year's firms    */
    ZZ_EV_ONBOARD,          /* a chain leader onboards partner `id`          */
    ZZ_EV_ACCEPT,           /* contest acceptance review of winner `id`      */
    /* from here on, events belong to a firm and carry its generation */
    ZZ_EV_REVIEW,           /* firm: adoption review                        */
    ZZ_EV_AWARE,            /* firm: hears of a workable AI project          */
    ZZ_EV_VOUCHER_DECIDED,  /* firm: its voucher applications are decided   */
    ZZ_EV_IMPL_DONE,        /* firm: implementation finished                 */
    ZZ_EV_SCALE_REVIEW,     /* firm: reviews scaling up                      */
    ZZ_EV_VOUCHER_EXPIRE,   /* firm: unused vouchers lapse                   */
    ZZ_NEVENT_KINDS
};

/* firm dynamic flags */
enum {
    ZZ_D_AWARE = 1,
    ZZ_D_WINNER = 2,        /* contest winner, implementing its benchmark    */
    ZZ_D_ONBOARDED = 16,    /* onboarded by its chain leader                 */
    ZZ_D_SCALING = 32       /* adopted and implementing the scale-up         */
};

typedef struct zz_firm_dyn {
    uint32_t reviews;              /* reviews so far (draw index)           */
    uint16_t gen;                  /* generation of the live event          */
    uint8_t state;                 /* enum zz_state                          */
    uint8_t dflags;                /* ZZ_D_*                                 */
    uint8_t failures;
    uint8_t impls;                 /* implementations started (draw index)  */
} zz_firm_dyn;

/* A decision rule plugs into the engine through this table (as models do in
 * ROSS): the engine calls `review` when a firm's review event fires. */
typedef struct zz_rule_ops {
    const char *name;
    /* schedules each firm's first event at the start */
    int (*start)(zz_sim *sim);
    void (*review)(zz_sim *sim, uint32_t firm);
} zz_rule_ops;

extern const zz_rule_ops zz_rule_bass, zz_rule_economic, zz_rule_lua;

/* Per-programme state of a replication: the ledger plus what the
 * instrument's mechanism needs. */
typedef struct zz_prog_state {
    zz_ledger ledger;
    /* contests, per round: bids, winners, accepted successes, rewards paid */
    int32_t round_bids[ZZ_MAX_ROUNDS], round_winners[ZZ_MAX_ROUNDS];
    int32_t round_successes[ZZ_MAX_ROUNDS];
    double round_rewards[ZZ_MAX_ROUNDS];
    /* contests */
    int round_open;
    double round_closes;
    uint32_t *bidders;
    int nbidders, cap_bidders;
    int rounds_opened;
    int bids, winners, successes;
    double rewards;
} zz_prog_state;

/* Finance-side support promised to a firm for its current project. Only
 * allocated when the scenario has such instruments. */
typedef struct zz_finance_hold {
    double interest_due;    /* interest subsidy committed                   */
    double risk_due;        /* risk compensation committed (paid on failure) */
    double cover;           /* insured share of the loss                     */
    uint8_t interest_prog, risk_prog;
} zz_finance_hold;

/* Vouchers a firm holds (or has applied for), per voucher kind. Only
 * allocated when the scenario has vouchers. */
typedef struct zz_voucher_hold {
    double amount[4];       /* committed to this firm, not yet redeemed     */
    uint8_t programme[4];   /* which programme committed it                 */
    uint8_t applied;        /* bit per kind: application pending           */
} zz_voucher_hold;

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
    float *t_adopt;                /* day adopted, or -1                    */
    float *invest;                 /* actual investment of the project      */
    double *subsidy_due;            /* investment subsidy committed          */
    uint8_t *subsidy_prog;
    double *reward_due;             /* contest reward committed (winners)    */
    uint8_t *reward_prog;
    zz_voucher_hold *vouchers;     /* NULL unless vouchers exist            */
    float *vexpiry;                /* day held vouchers lapse, +inf if none */
    double *received;              /* [programme][firm] money paid to the
                                      firm: caps and the per-firm record    */
    zz_finance_hold *finance;      /* NULL unless finance instruments       */
    float *equity;                 /* liquidity added by the equity fund    */
    uint8_t *round_of;             /* contest round a winner won            */
    uint32_t *chain_start, *chain; /* partners of each leader (CSR)         */
    double compute_demand;         /* PFLOPS used by adopters               */

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

    /* contests' demonstration effect: decaying stock per industry and per
     * city x industry, updated lazily at read time */
    double *demo_i, *demo_ci;      /* stock at demo_t[...]                  */
    double *demo_i_t, *demo_ci_t;
    double demo_half_life;

    /* programmes */
    int nprog;
    zz_prog_state prog[ZZ_MAX_PROGRAMMES];

    /* targets */
    double *target_reached;        /* [G] day reached or NAN                */
    int32_t *target_firms;         /* [G] firms in the group                */
    int32_t *target_adopted;       /* [G] adopted firms in the group        */

    /* observations */
    zz_rep_result *res;
    int nobs, obs_next;
    double *obs_time;

    /* scenario callbacks */
    zz_script *script;
    uint8_t *action_done;          /* when() triggers fire once             */
};

/* ---- firm transitions (model/firms.c): every state change goes through
 * here so the aggregates stay exact. ---- */
void zz_firm_set_state(zz_sim *sim, uint32_t f, int state);
int zz_firm_schedule(zz_sim *sim, uint32_t f, int kind, double t);
double zz_firm_peer_share(const zz_sim *sim, uint32_t f, int peers);
int zz_sim_fail(zz_sim *sim, int rc, const char *fmt, ...);

/* ---- the economic rule's valuation (model/rule_economic.c) ---- */
typedef struct zz_valuation {
    double cost;              /* project cost at current compute prices      */
    double support;           /* vouchers held + expected investment subsidy */
    double net_cost;          /* cost - support                              */
    double own_premium;       /* the firm's share of an insurance premium    */
    double liquidity;         /* own funds, plus equity received             */
    double borrowed, rate, financing;
    double perceived_success, gain, benefit, cover, downside;
    double value, hurdle, probability;
    int can_finance, risk_backed, scale;
} zz_valuation;
void zz_value_project(zz_sim *sim, uint32_t f, zz_valuation *v);
void zz_value_project_with(zz_sim *sim, uint32_t f, double prospect, zz_valuation *v);
void zz_economic_decide(zz_sim *sim, uint32_t f);
double zz_project_cost(const zz_sim *sim, uint32_t f);
void zz_schedule_scale_review(zz_sim *sim, uint32_t f);

/* ---- implementation (model/implement.c) ---- */
void zz_start_implementation(zz_sim *sim, uint32_t f, const zz_valuation *v);
void zz_finish_implementation(zz_sim *sim, uint32_t f);

/* ---- observation (sim.c) ---- */
void zz_sim_observe(zz_sim *sim, int index);

#endif
