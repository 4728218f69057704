/*
 * How instruments act on a firm's decision: each through its own mechanism
 * (MODEL.md's table), never as a bonus to the adoption probability. The
 * decision rule asks these functions what the firm can count on; the
 * implementation lifecycle tells them when money moves.
 */
#ifndef ZZ_POLICY_H
#define ZZ_POLICY_H

#include <stdint.h>
#include "scenario/config.h"

struct zz_sim;

/* 1 if programme g is active now and firm f passes its filter. */
int zz_prog_eligible(const struct zz_sim *sim, int g, uint32_t f);
int zz_filter_match(const struct zz_sim *sim, const zz_filter *flt, uint32_t f);

/* Pays a firm what programme g committed to it, and records it. */
void zz_pay(struct zz_sim *sim, int g, uint32_t f, double amount);
/* Money programme g paid to firm f so far. */
double zz_received(const struct zz_sim *sim, int g, uint32_t f);
/* What programme g may still award firm f under its per-firm cap across
 * rounds (firm_cap; +inf when there is none). */
double zz_firm_room(const struct zz_sim *sim, int g, uint32_t f);

/* ---- vouchers (voucher.c) ---- */
/* At a review: applies for every voucher the firm is eligible for and does
 * not hold while the pot has money. Returns the longest review delay in
 * days, or a negative number if it applied for none. */
double zz_voucher_apply(struct zz_sim *sim, uint32_t f);
/* The applications are decided, first come first served. */
void zz_voucher_decide(struct zz_sim *sim, uint32_t f);
/* Voucher value held, in all. */
double zz_voucher_held(const struct zz_sim *sim, uint32_t f);
/* What the vouchers the firm could apply for now would be worth: for each
 * kind it lacks, is eligible for and whose pot can still pay the award. */
double zz_voucher_prospect(const struct zz_sim *sim, uint32_t f);
/* The project starts: held vouchers are redeemed (disbursed). */
void zz_voucher_redeem(struct zz_sim *sim, uint32_t f);
/* Unused vouchers whose validity ended return to their pots. */
void zz_voucher_expire(struct zz_sim *sim, uint32_t f);
/* Day the firm's earliest held voucher lapses, or +inf. */
double zz_voucher_expiry(const struct zz_sim *sim, uint32_t f);

/* ---- investment subsidy (subsidy.c) ---- */
/* What the firm may expect for a project of this cost (0 if ineligible or
 * the pot cannot cover it). */
double zz_subsidy_expected(const struct zz_sim *sim, uint32_t f, double cost);
void zz_subsidy_commit(struct zz_sim *sim, uint32_t f, double cost);
/* After the implementation: paid on success, released on failure. */
void zz_subsidy_settle(struct zz_sim *sim, uint32_t f, int success);

/* ---- 揭榜挂帅 contests (contest.c) ---- */
/* Opens a round of contest g (closing one still open); its close event
 * carries the round number zz_contest_round(sim, g) returns. */
int zz_contest_open(struct zz_sim *sim, int g);
int zz_contest_close(struct zz_sim *sim, int g);
int zz_contest_round(const struct zz_sim *sim, int g);
void zz_contest_settle(struct zz_sim *sim, uint32_t f, int success);
void zz_contest_accept(struct zz_sim *sim, uint32_t f);
/* Demonstration effect felt by firm f: decayed benchmark successes in its
 * industry, city-local ones weighted by demo_city_mult. */
double zz_contest_demo(struct zz_sim *sim, uint32_t f);

/* ---- fiscal year (budget resets) ---- */
void zz_policy_new_year(struct zz_sim *sim);

/* ---- finance (finance.c): loan interest subsidy, risk compensation,
 * first-of-kind insurance. Each fills its own terms of the valuation. ---- */
struct zz_valuation;
void zz_finance_terms(struct zz_sim *sim, uint32_t f, struct zz_valuation *v);
void zz_finance_commit(struct zz_sim *sim, uint32_t f, const struct zz_valuation *v);
void zz_finance_settle(struct zz_sim *sim, uint32_t f, int success);

/* ---- equity fund (equity.c) ---- */
void zz_equity_select(struct zz_sim *sim, int g);

/* ---- training and matchmaking campaigns (campaign.c) ---- */
void zz_campaign_run(struct zz_sim *sim, int g);

/* ---- chain leaders (chain.c) ---- */
int zz_chain_init(struct zz_sim *sim);
void zz_chain_on_adopt(struct zz_sim *sim, uint32_t leader);
void zz_chain_onboard(struct zz_sim *sim, uint32_t partner);
/* integration cost the chain programme pays for an onboarded partner */
double zz_chain_cost_cut(const struct zz_sim *sim, uint32_t f, double integration);
void zz_chain_commit(struct zz_sim *sim, uint32_t f, double integration);
double zz_chain_success(const struct zz_sim *sim, uint32_t f);

/* ---- compute market (compute_market.c) ---- */
double zz_compute_price(const struct zz_sim *sim);
double zz_compute_capacity(const struct zz_sim *sim);
void zz_compute_use(struct zz_sim *sim, uint32_t f, int sign);

#endif
