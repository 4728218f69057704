/* Internal links between the replication's parts that are not part of the
 * model's vocabulary in sim.h. Includes no part of the kernel, so that
 * sim.c including it closes no cycle (the users include sim.h). */
#ifndef ZZ_SIM_INTERNAL_H
#define ZZ_SIM_INTERNAL_H

#include <stdint.h>

#include "config.h"
#include "engine/interrupt.h"
#include "rep_result.h"
#include "zhizao/zhizao.h"

/* targets.c: filters, classes and targets; the rest: sim.c, accounting.c,
 * model/rule_economic.c as said. */

int zz_cell_match(const zz_sim *sim, const zz_filter *flt, int c, int i, int s);
/* Which of the n filters cover each class of firms (zz_firm_class): bit k
 * of out[class] for flt[k]; out holds ncells * 2 classes. */
void zz_filter_classes(const zz_sim *sim, const zz_filter *const *flt, int n, uint64_t *out);
void zz_targets_on_adopt(zz_sim *sim, uint32_t f);
void zz_targets_init(zz_sim *sim);
/* Firm f's class, cell x above-size (the index of prog_cls, target_cls). */
uint32_t zz_firm_class(const zz_sim *sim, uint32_t f);
/* A firm's applications for support were decided: instruments record the
 * outcome, then the firm decides (rule_economic.c). */
void zz_economic_decided(zz_sim *sim, uint32_t f);
/* A firm that just became aware schedules its first review. */
void zz_sim_first_review(zz_sim *sim, uint32_t f);
zz_rep_result *zz_sim_take_result(zz_sim *sim);
/* A twin opened after its policy run stops where a scenario stopped it. */
void zz_sim_stop_after(zz_sim *sim, const zz_sim *policy);
/* Paired accounting against the twin, and the per-firm record, into the
 * replication's result (accounting.c). 0 on success. */
int zz_account_pair(zz_sim *pol, zz_sim *twin);
/* The same accounting over the firms of class c with in_class[c] set
 * (class = zz_firm_class): supported adopters, those of them that adopt in
 * the twin too (deadweight) and additional adopters (policy run - twin). */
void zz_account_classes(const zz_sim *pol, const zz_sim *twin, const uint8_t *in_class,
                        double *supported, double *deadweight, double *additional);
int zz_record_firms(zz_sim *sim);

#endif
