/* libFuzzer harness: the firm-file (CSV) loader. The loader reads a path,
 * so each input goes through a private temporary file. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/population.h"
#include "config.h"
#include "zhizao/zhizao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static zz_config cfg;
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/zz_fuzz_firms_%ld.csv", (long)getpid());
        zz_config_defaults(&cfg);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    zz_population *pop = NULL;
    char err[2048];
    if (zz_population_csv(&pop, &cfg, path, err, sizeof err) == ZZ_OK)
        zz_population_free(pop);
    unlink(path);
    return 0;
}
