/*
 * sim/model/, the model floor (docs/architecture.md). It offers the firms:
 * building a population (population.h), their transitions, the decision
 * rules bass and economic, the implementation lifecycle, and the model's
 * random stream kinds (streams.h). It may include the schema (config.h,
 * param.h) and engine/; it still includes sim.h and policy/ for the
 * replication's state and the instruments' hooks, debts listed in
 * bench/layers.py.
 *
 * The model's vocabulary: how a decision rule plugs into the engine, the
 * firm transitions that keep the aggregates exact, the economic rule's
 * valuation and the implementation lifecycle. The replication's state is
 * zz_sim (sim.h); instruments reach the model through policy/instrument.h.
 */
#ifndef ZZ_MODEL_H
#define ZZ_MODEL_H

#include <stdint.h>

#include "model/streams.h"
#include "zhizao/zhizao.h"

/* A decision rule plugs into the engine through this table (as models do in
 * ROSS): the engine calls `review` when a firm's review event fires. */
typedef struct zz_rule_ops {
    const char *name;
    /* schedules each firm's first event at the start */
    int (*start)(zz_sim *sim);
    void (*review)(zz_sim *sim, uint32_t firm);
} zz_rule_ops;

extern const zz_rule_ops zz_rule_bass, zz_rule_economic;
/* (decision "lua", the scenario's own rule, is the binding's:
 * scenario/rule_lua.c, offered through zz_script_ops.rule in sim.h) */

/* ---- firm transitions (model/firms.c): every state change goes through
 * here so the aggregates stay exact. ---- */
void zz_firm_set_state(zz_sim *sim, uint32_t f, int state);
int zz_firm_schedule(zz_sim *sim, uint32_t f, int kind, double t);
double zz_firm_peer_share(const zz_sim *sim, uint32_t f, int peers);
/* Copies the population's attributes into sim->attr (sim.h). */
void zz_firm_attrs_fill(zz_sim *sim);
int zz_sim_fail(zz_sim *sim, int rc, const char *fmt, ...);

/* ---- the economic rule's valuation (model/rule_economic.c) ---- */
typedef struct zz_valuation {
    double list;              /* project cost at list prices                 */
    double cost;              /* project cost at current compute prices      */
    double support;           /* instruments' support terms                  */
    double support_held;      /* the same without the prospect counted       */
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
/* Part of the valuation, for screens of many firms that need no more (the
 * fields of later stages are left unset): the cost alone (COST, v->list
 * and v->cost), through what is borrowed (OUTLAY), through financing, perceived success and benefit (PROSPECTS),
 * or all of it. Each stage's fields equal the full valuation's. */
enum zz_value_stage { ZZ_VALUE_COST, ZZ_VALUE_OUTLAY, ZZ_VALUE_PROSPECTS, ZZ_VALUE_ALL };
void zz_value_project_until(zz_sim *sim, uint32_t f, double prospect, int stage, zz_valuation *v);
/* v, valued with a prospect (zz_value_project_with), valued again without
 * it at the same instant: only the terms the support reaches are redone;
 * equals zz_value_project bit for bit. */
void zz_value_drop_prospect(zz_sim *sim, uint32_t f, zz_valuation *v);
/* The most likely firm f is to start its project now, with any support
 * (a review whose draw is above it ends without valuing support). */
double zz_adopt_bound(zz_sim *sim, uint32_t f);
/* 1 if a review of firm f on draw u ends without valuing support (the
 * draw is beyond the bound). */
int zz_review_out_of_reach(zz_sim *sim, uint32_t f, double u);
int zz_economic_decide(zz_sim *sim, uint32_t f);
/* A project's cost: at the scenario start's technology (base), today
 * (the compute and model parts fallen by cost_fall a year), and one
 * component c of a base cost today (enum zz_component). */
double zz_project_base(const zz_sim *sim, uint32_t f);
double zz_project_cost(const zz_sim *sim, uint32_t f);
double zz_component_cost(const zz_sim *sim, double base, int c);
int zz_schedule_scale_review(zz_sim *sim, uint32_t f);

/* ---- learning about success (model/learning.c) ---- */
int zz_learn_open(zz_sim *sim);
void zz_learn_close(zz_sim *sim);
/* The belief of firm f about a project's success at readiness 0.5: the
 * Beta posterior mean given the outcomes it has seen. */
double zz_belief(zz_sim *sim, uint32_t f);
/* A finished project's outcome, seen by the firms of its channels. */
void zz_learn_outcome(zz_sim *sim, uint32_t f, int success);
/* The project being settled is a publicised benchmark (contests, from
 * on_finish): every firm of its industry sees its outcome, as
 * learn_publicity observations. */
void zz_learn_publicise(zz_sim *sim);

/* ---- implementation (model/implement.c) ---- */
int zz_start_implementation(zz_sim *sim, uint32_t f, const zz_valuation *v);
int zz_finish_implementation(zz_sim *sim, uint32_t f);
/* The money side of a project's start and end, as those two run it: every
 * instrument commits (on_start); at the end the instruments that marked
 * the firm (zz_firm_mark_due) pay or release (on_finish). 0 or a ZZ_* code. */
int zz_commit_project(zz_sim *sim, uint32_t f, const zz_valuation *v);
int zz_settle_project(zz_sim *sim, uint32_t f, int success);

#endif
