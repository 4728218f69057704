/* libFuzzer harness: --set KEY=VALUE parsing, on a scenario with one of
 * every kind of block, so that every parameter path is reachable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zhizao/zhizao.h"

static const char *const base =
    "scenario { name = \"fuzz\", years = 1 }\n"
    "voucher \"compute\" { rate = 0.3, budget = 1e8 }\n"
    "subsidy \"investment\" { rate = 0.2, budget = 1e8 }\n"
    "contest \"c\" { opens = \"2026-03-01\", closes = \"2026-05-01\", budget = 1e7 }\n"
    "campaign \"m\" { date = \"2026-05-15\", firms = 10 }\n"
    "target { name = \"t\", city = \"Jinan\", share = 0.5 }\n"
    "pioneer { city = \"Jinan\", industry = \"electronics\" }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    zz_scenario *sc = NULL;
    if (zz_scenario_open_string(&sc, "fuzz.lua", base) == ZZ_OK) {
        /* one or more assignments, one a line, as several --set options */
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            zz_scenario_set(sc, line);
        char *d = zz_scenario_describe(sc);
        free(d);
    }
    zz_scenario_close(sc);
    free(text);
    return 0;
}
