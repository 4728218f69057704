/* libFuzzer harness: the scenario loader (Lua sandbox, declarations,
 * validation) on arbitrary text. Built by `make fuzz`; the corpus is
 * replayed by the test suite (replay.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zhizao/zhizao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    zz_scenario *sc = NULL;
    zz_scenario_open_string(&sc, "fuzz.lua", text);
    if (sc) {
        char *d = zz_scenario_describe(sc);
        free(d);
    }
    zz_scenario_close(sc);
    free(text);
    return 0;
}
