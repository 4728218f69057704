/* The public API's handles explain failures (zhizao.h): a population whose
 * firm file is missing, an ensemble that cannot write its output. */
#include <stdlib.h>
#include <string.h>

#include "zhizao/zhizao.h"
#include "zz_test.h"

int main(void)
{
    zz_scenario *sc;
    CHECK(zz_scenario_open_string(&sc, "api.lua",
                                  "scenario { name = \"api\", years = 1 }\n"
                                  "population { firms = 500 }\n") == ZZ_OK);
    zz_population *pop;
    CHECK(zz_population_open(&pop, sc) == ZZ_OK && pop && zz_population_size(pop) == 500);
    CHECK(strcmp(zz_population_errmsg(pop), "") == 0);
    zz_population_free(pop);

    CHECK(zz_scenario_set(sc, "population.file=no_such_firms.csv") == ZZ_OK);
    int rc = zz_population_open(&pop, sc);
    CHECK(rc != ZZ_OK && pop != NULL);
    CHECKF(pop && strstr(zz_population_errmsg(pop), "no_such_firms.csv"), "%s",
           pop ? zz_population_errmsg(pop) : "");
    zz_population_free(pop);
    CHECK(zz_scenario_set(sc, "population.file=") == ZZ_OK);

    zz_run_options opt = {.output = "/nonexistent_dir/out.h5", .replications = 1, .threads = 1, .seed = -1};
    zz_ensemble *e;
    rc = zz_ensemble_exec(&e, sc, &opt);
    CHECK(rc != ZZ_OK && e != NULL);
    CHECKF(e && strstr(zz_ensemble_errmsg(e), "/nonexistent_dir/out.h5"), "%s", e ? zz_ensemble_errmsg(e) : "");
    zz_ensemble_close(e);
    zz_scenario_close(sc);
    return zz_test_finish();
}
