/*
 * sim/policy/, the instruments' floor (docs/architecture.md). It offers the
 * instrument table and interface (instrument.h), one file per instrument,
 * the budget ledgers (ledger.h), and what the kernel asks of the programmes
 * as a whole (this header). It may include model/, the schema and engine/;
 * it still includes sim.h for the replication's state, a debt listed in
 * bench/layers.py.
 *
 * What the engine asks of the programmes as a whole (the instruments
 * themselves plug in through policy/instrument.h), and the regional
 * compute market.
 */
#ifndef ZZ_POLICY_H
#define ZZ_POLICY_H

#include <stdint.h>
#include "config.h"

struct zz_sim;

/* Contest rounds the output reports: the most of any contest (<= 32), and
 * the synthetic supplier-chain partners per leader (the chain-leader
 * programme's, else ZZ_CHAIN_PARTNERS): what the output and the population
 * size from the programmes (instruments.c asks the instruments). */
int zz_config_rounds(const zz_config *cfg);
int zz_config_chain_partners(const zz_config *cfg);

/* The programmes covering each class of firms (sim->prog_cls); -1 when
 * out of memory. */
int zz_prog_classes(struct zz_sim *sim);

/* ---- fiscal year (budget resets) ---- */
void zz_policy_new_year(struct zz_sim *sim);

/* ---- compute market (compute_market.c) ---- */
double zz_compute_price(const struct zz_sim *sim);
double zz_compute_capacity(const struct zz_sim *sim);
void zz_compute_use(struct zz_sim *sim, uint32_t f, int sign);

#endif
