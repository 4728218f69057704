/*
 * The instrument interface: how a policy instrument plugs into the engine,
 * the decision rule, implementation and the scenario language (in the
 * manner of ROSS's tw_lptype or Lua's luaL_Reg). One instrument = one file
 * that defines one zz_instrument, plus one row in zz_instruments[]
 * (instruments.c). Nothing else names an instrument: the run loop, the
 * decision rules, implementation, the Lua declarations, --set, sim:set,
 * `zhizao check --reference` and the output all walk the table.
 *
 * THE CONTRACT
 *
 * Declaration. `word` is the scenario's declaration function (talent,
 * contest, voucher, ...). Several rows may share a word, told apart by
 * `variant` (voucher "compute", voucher "model"); a row with `named` takes
 * an instance name instead (contest "jiebang_2026"); otherwise the word
 * stands alone (talent { ... }). A programme's name, the prefix of its keys
 * and its label on the output's `instrument` axis, is word[.variant|.name].
 *
 * Parameters. `params` are the instrument's own rows of the registry
 * (param.h) with their type, range, default, flags and meaning;
 * the rows every programme has (enabled, start, end, budget, filters) are
 * the registry's own. Values live in zz_programme_cfg: an instrument's own
 * values in its `own` bytes (offset ZZ_OWN(type, field)), so adding an
 * instrument never touches config.h. Defaults are the rows' `def`.
 * `check` sees the resolved programme and explains what is inconsistent.
 *
 * State. Per replication the engine allocates, zeroed: `firm_bytes` per
 * firm (in->firm), `run_bytes` once (in->run), `prog_bytes` per programme
 * (zz_prog_own). An instrument reads and writes only its own state, the
 * firms' public state (sim->firm[f], sim->pop; on the hot path the same
 * attributes from the one record sim->attr[f]) and its ledgers.
 *
 * Hooks, all optional (NULL = nothing to do). Those returning int return 0
 * or a ZZ_* code after zz_sim_fail(): the replication then stops. Every
 * hook is called only under the economic rule, with `in` holding the
 * instrument's programmes (in->prog[0 .. nprog)), in declaration order.
 *   open(sim, in)            replication start: schedule dated events
 *                            (zz_programme_at), set up state
 *   event(sim, in, g, tag, id)  an event zz_programme_at scheduled
 *   new_year(sim, in)        January 1, after per-year pots were reset
 *   open_round(sim, in, g)   a scenario's sim:open_round (contests)
 * Valuation (zz_value_project), in this order, each adding its own term:
 *   support(sim, in, f, v)   money that lowers the firm's outlay (v->cost
 *                            and v->list known); returns it
 *   liquidity(sim, in, f)    funds added to the firm's own
 *   premium(sim, in, f, v)   sets v->own_premium, v->cover (before borrowing)
 *   finance(sim, in, f, v)   lowers v->rate, sets v->risk_backed (v->borrowed
 *                            known)
 *   success(sim, in, f)      added to the perceived success probability
 *   capability(sim, in, f, c)   the firm's implementation capability: true
 *                            success added, implementation time multiplied
 * A review first bounds the firm's value by benefit / cost (rule_economic.c,
 * bound_logit) and values support only when its draw is within reach, so
 * these terms may lower the value but never raise it beyond that bound:
 * success terms are counted in the bound itself; support lowers the net
 * cost to no less than zero (the engine floors it); a premium is at least
 * zero with cover at most 1; the engine floors the borrowing rate at zero.
 * Review (the firm applies for support before deciding):
 *   on_review(sim, in, f)    the firm reviews while it holds support that
 *                            lapses (zz_firm_mark_lapses): lapsed support
 *                            returns; re-mark the firm if it still holds some
 *   prospect(sim, in, f)     what applying now would bring
 *   apply(sim, in, f)        the firm applies; returns the days until its
 *                            applications are decided, < 0 if none
 *   decided(sim, in, f)      the applications are decided
 *   review_by(sim, in, f)    day by which a marked firm must review again
 * Per-firm state an instrument keeps for good (a hire, an investment) is
 * flagged with zz_firm_mark_keeps, so that hooks skip reading it for the
 * many firms that have none.
 * Project lifecycle:
 *   on_start(sim, in, f, v)  the firm starts a project valued v: commit
 *   on_finish(sim, in, f, success)   it ended: pay or release; called
 *                            only if the instrument marked the firm
 *                            (zz_firm_mark_due) since its last project
 *                            ended: a project the instrument holds
 *                            nothing for costs no look at its per-firm
 *                            state
 *   on_adopt(sim, in, f)     it adopted (pilot succeeded)
 * End:
 *   record(sim, in, res)     per-programme statistics into the result
 *   close(sim, in)           free what open allocated beyond the state
 *
 * Effects. Instruments act on firms only through the effect API below and
 * their ledgers: they never schedule firm events themselves.
 */
#ifndef ZZ_INSTRUMENT_H
#define ZZ_INSTRUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "param.h"
#include "sim.h"

/* The firm's implementation capability, as instruments change it. */
typedef struct zz_capability {
    double success;   /* added to the true success probability           */
    double time;      /* implementation time multiplier                   */
} zz_capability;

/* An instrument's runtime record in one replication. */
typedef struct zz_inst {
    const struct zz_instrument *ops;
    int kind;                         /* row in zz_instruments            */
    int nprog;
    uint8_t prog[ZZ_MAX_PROGRAMMES];  /* its programmes                   */
    void *firm;                       /* firm_bytes per firm              */
    void *run;                        /* run_bytes                        */
    uint16_t due_bit;                 /* its bit in zz_firm_dyn.owed; 0 =
                                         on_finish for every project      */
} zz_inst;

typedef struct zz_instrument {
    const char *word, *variant;
    int named;
    int arg;                          /* for rows sharing one file's code  */
    const char *title;                /* one line for docs and --reference */
    const zz_param *params;
    int nparams;
    int (*check)(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len);
    size_t firm_bytes, run_bytes, prog_bytes;
    /* What the rest of the run must size for this programme: contest rounds
     * the output reports, synthetic chain partners the population builds. */
    int (*rounds)(const zz_programme_cfg *g);
    int (*chain_partners)(const zz_programme_cfg *g);
    /* Scheduled work of its own the run never reaches (a contest round, a
     * campaign date after the end, day `horizon`): 1 with what, in words
     * ("round 4 of 4 opens 2028-03-01"), in msg; else 0. The programme's
     * start is checked for every instrument (cli_warn.c). */
    int (*late)(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len);
    /* 1 if the programme spends nothing, so it needs no budget */
    int (*costless)(const zz_programme_cfg *g);
    /* Its own random stream kind (engine/rng.h) if it draws numbers, else
     * 0: unique among the rows and none of the model's (model/streams.h). */
    uint32_t stream;
    /* 1 for a guarantee: money it holds committed at the end stands behind
     * loans still open, a liability the treasury carries, so it counts in
     * what the programme cost (zz_outlay; zhizao.io.outlay, the same rule) */
    int guarantee;

    int (*open)(zz_sim *sim, zz_inst *in);
    int (*event)(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t id);
    int (*new_year)(zz_sim *sim, zz_inst *in);
    /* a scenario opens a round now (sim:open_round) */
    int (*open_round)(zz_sim *sim, zz_inst *in, int g);

    double (*support)(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v);
    double (*liquidity)(zz_sim *sim, zz_inst *in, uint32_t f);
    void (*premium)(zz_sim *sim, zz_inst *in, uint32_t f, zz_valuation *v);
    void (*finance)(zz_sim *sim, zz_inst *in, uint32_t f, zz_valuation *v);
    double (*success)(zz_sim *sim, zz_inst *in, uint32_t f);
    void (*capability)(zz_sim *sim, zz_inst *in, uint32_t f, zz_capability *c);

    void (*on_review)(zz_sim *sim, zz_inst *in, uint32_t f);
    double (*prospect)(zz_sim *sim, zz_inst *in, uint32_t f);
    double (*apply)(zz_sim *sim, zz_inst *in, uint32_t f);
    void (*decided)(zz_sim *sim, zz_inst *in, uint32_t f);
    double (*review_by)(zz_sim *sim, zz_inst *in, uint32_t f);

    int (*on_start)(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v);
    int (*on_finish)(zz_sim *sim, zz_inst *in, uint32_t f, int success);
    int (*on_adopt)(zz_sim *sim, zz_inst *in, uint32_t f);

    void (*record)(zz_sim *sim, zz_inst *in, zz_rep_result *res);
    void (*close)(zz_sim *sim, zz_inst *in);
} zz_instrument;

/* Each instrument of the replication that has hook h (enum zz_hook), in
 * table order:  ZZ_EACH_HOOKED(sim, ZZ_HOOK_SUPPORT, i) s += i->ops->support(...); */
#define ZZ_EACH_HOOKED(sim, h, i) \
    for (zz_inst *const *i##_at = (sim)->hooked[h], *i; (i = *i##_at) != NULL; i##_at++)

/* The table (instruments.c): the order of declaration words in the docs. */
extern const zz_instrument *const zz_instruments[];
extern const int zz_ninstruments;

/* Row of the instrument whose programmes are named `stem` ("voucher.compute",
 * "contest", "talent"), or -1. */
int zz_instrument_find(const char *stem);
/* The programme-name stem of row k: word or word.variant. */
void zz_instrument_stem(int k, char *buf, size_t len);

/* Offset of an instrument's own field inside zz_programme_cfg. */
#define ZZ_OWN(T, m) (offsetof(zz_programme_cfg, own) + offsetof(T, m))
#define ZZ_OWN_CFG(T, pc) ((T *)(void *)(pc)->own)
#define ZZ_OWN_FITS(T) _Static_assert(sizeof(T) <= ZZ_OWN_BYTES, #T " exceeds ZZ_OWN_BYTES")
/* A registry row of an instrument's own parameter. */
#define ZZ_ROW(fld, T, m, type, lo, hi, def, flags, doc)                                      \
    {fld, ZZ_PB_PROGRAMME, type, flags, 0, ZZ_OWN(T, m), sizeof(((T *)0)->m), 1, lo, hi, NULL, \
     doc, def}
/* The stage row (adoption pilot or scale-up) of instruments that target one. */
#define ZZ_STAGE_ROW                                                                          \
    {"stage", ZZ_PB_PROGRAMME, ZZ_PT_CHOICE, 0, 0, offsetof(zz_programme_cfg, stage),        \
     sizeof(int), 1, 0, 0, "adoption|scale",                                                  \
     "which step it supports: adoption (pilot) or scale", 0}

/* ---- the effect API ------------------------------------------------------ */

/* Per-programme state (prog_bytes) of programme g. */
void *zz_prog_own(zz_sim *sim, int g);
/* 1 if programme g is open now and firm f passes its filter and stage.
 * Programmes aimed at adoption cover non-adopters unless their filter says
 * otherwise. (Inline, as the few below: offers and screens call it per
 * firm and programme.) */
static inline int zz_prog_eligible(const zz_sim *sim, int g, uint32_t f)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    if (!pc->enabled || sim->now < pc->start || (pc->end >= 0 && sim->now >= pc->end))
        return 0;
    /* Without a states filter a programme reaches the stage it targets:
     * non-adopters (stage 0), or adopted firms not yet scaled (stage 1). */
    int state = sim->firm[f].state;
    if (pc->filter.states ? !(pc->filter.states >> state & 1u)
                          : state != (pc->stage ? ZZ_S_ADOPTED : ZZ_S_NONE))
        return 0;
    return sim->prog_cls[sim->attr[f].cls] >> g & 1;
}
/* Ledger of programme g; money a programme paid firm f; room under its
 * per-firm cap (firm_cap; +inf without). */
static inline zz_ledger *zz_prog_ledger(zz_sim *sim, int g) { return &sim->prog[g].ledger; }
static inline double zz_received(const zz_sim *sim, int g, uint32_t f)
{
    uint32_t row = sim->received ? sim->receipt_row[f] : 0;
    return row ? sim->received[(size_t)row * (size_t)sim->nprog + g] : 0;
}
double zz_firm_room(const zz_sim *sim, int g, uint32_t f, double firm_cap);
/* committed -> disbursed to firm f (recorded per firm) */
void zz_pay(zz_sim *sim, int g, uint32_t f, double amount);
/* commit and disburse at once; returns what was paid (0 if the pot cannot) */
double zz_pay_now(zz_sim *sim, int g, uint32_t f, double amount);
/* Schedules event (tag, id) of programme g at day t (dropped past the
 * horizon). Fails the replication on error. tag < 1024. */
int zz_programme_at(zz_sim *sim, int g, double t, int tag, uint32_t id);
/* The firm hears of a workable AI project and reviews now. */
int zz_make_aware(zz_sim *sim, uint32_t f);
static inline int zz_firm_aware(const zz_sim *sim, uint32_t f) { return (sim->firm[f].dflags & ZZ_D_AWARE) != 0; }
/* The firm holds support that lapses (a voucher): the review calls the
 * instrument's on_review and review_by only for such firms, and clears the
 * mark first, so on_review re-asserts it while the firm still holds some.
 * zz_firm_lapses() is 0 for a firm that certainly holds none. */
static inline void zz_firm_mark_lapses(zz_sim *sim, uint32_t f) { sim->firm[f].dflags |= ZZ_D_LAPSES; }
static inline int zz_firm_lapses(const zz_sim *sim, uint32_t f) { return sim->firm[f].dflags & ZZ_D_LAPSES; }
/* The firm has lasting support from some instrument; zz_firm_keeps() is 0
 * for a firm that certainly has none. */
static inline void zz_firm_mark_keeps(zz_sim *sim, uint32_t f) { sim->firm[f].dflags |= ZZ_D_KEEPS; }
static inline int zz_firm_keeps(const zz_sim *sim, uint32_t f) { return sim->firm[f].dflags & ZZ_D_KEEPS; }
/* The instrument settles something when firm f's project ends (money
 * committed to it): its on_finish will be called then. The mark is
 * cleared as the project ends, before on_finish runs. */
static inline void zz_firm_mark_due(zz_sim *sim, const zz_inst *in, uint32_t f) { sim->firm[f].owed |= in->due_bit; }
/* The firm is supported by something that pays it no money (a loan a
 * guarantee backs): the accounting counts it as supported. */
static inline void zz_firm_mark_backed(zz_sim *sim, uint32_t f) { sim->firm[f].dflags |= ZZ_D_BACKED; }
/* The firm starts the project v values (a contest winner). */
int zz_start_project(zz_sim *sim, uint32_t f, const zz_valuation *v);

#endif
