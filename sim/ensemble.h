#ifndef ZZ_ENSEMBLE_H
#define ZZ_ENSEMBLE_H
#include "output/results.h"
#include "scenario/scenario.h"
#include "zhizao/zhizao.h"

/* Runs a scenario's replications into `group` (NULL = root) of an open
 * writer; `zhizao compare` calls it once per scenario on one file. */
int zz_ensemble_into(zz_writer *w, const char *group, const zz_scenario *sc,
                     const zz_run_options *opt, char *err, size_t errlen);
#endif
