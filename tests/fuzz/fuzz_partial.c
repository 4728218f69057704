/* libFuzzer harness: explore --resume reading a .partial file it did not
 * write (output/xresume.c, then the writer reopening it). An HDF5 file is
 * too structured for blind bytes to get far, so the harness first writes a
 * valid .partial of a small fixed experiment and each input damages it:
 * every 4 bytes (offset in 3, a byte in 1) flip bits at an offset, a
 * remainder byte cuts the file short. The reader must refuse or resume,
 * never crash, hang or read past a buffer. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/experiment_writer.h"
#include "zhizao/zhizao.h"

enum { P = 2, S = 1, R = 2, T = 3, G = 1, I = 1, F = 1 };
static const double time_[T] = {0, 182, 365}, design[P * F] = {0.7, 1.1}, unit[P * F] = {.2, .8};
static const int32_t block[P] = {0, 0};
static const double level[S * G] = {0.5}, by[S * G] = {365};
static const uint8_t fiscal[S * I] = {1};
static const char *const scen[S] = {"s"}, *const target[G] = {"all"}, *const inst[I] = {"v"},
                         *const factor[F] = {"population.hurdle_mean"}, *const text[S] = {"x"};

static zz_xlayout layout(void)
{
    return (zz_xlayout){.npoints = P, .nscenarios = S, .nreplicates = R, .ntime = T,
                        .ntargets = G, .ninstruments = I, .nfactors = F, .time = time_,
                        .start_date = "2026-01-01", .scenario = scen, .target = target,
                        .instrument = inst, .factor = factor, .design = design,
                        .design_unit = unit, .design_block = block, .target_level = level,
                        .target_by = by, .fiscal = fiscal, .scenario_parameters = text,
                        .scenario_source = text, .scenario_path = text, .name = "fuzz",
                        .path = "fuzz.lua", .source = "", .design_name = "lhs",
                        .overrides = "", .digest = "00000000deadbeef", .seed = 1};
}

static unsigned char *good;
static size_t ngood;
static char out[64], partial[80];

/* a .partial holding tasks 0 and 2 of 4, as an interrupted explore leaves */
static void make_good(void)
{
    snprintf(out, sizeof out, "/tmp/zz_fuzz_partial_%ld.h5", (long)getpid());
    snprintf(partial, sizeof partial, "%s.partial", out);
    zz_xlayout L = layout();
    zz_xwriter *w;
    uint8_t done[P * S * R] = {0};
    char err[1024];
    zz_xrecord *r = zz_xrecord_alloc(&L);
    if (!r || zz_xwriter_open(&w, out, &L, 0, done, err, sizeof err))
        abort();
    for (int p = 0; p < P; p++) {
        r->point = p;
        r->scenario = 0;
        r->replicate = 0;
        r->events = 100 + p;
        r->time_to_target[0] = 30.0 * (p + 1);
        if (zz_xwriter_put(w, r) || zz_xwriter_flush(w, p + 1))
            abort();
    }
    zz_xwriter_close(w, 0);
    zz_xrecord_free(r);
    FILE *f = fopen(partial, "rb");
    good = malloc(1 << 20);
    ngood = f && good ? fread(good, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    if (!ngood)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!good)
        make_good();
    unsigned char *buf = malloc(ngood);
    if (!buf)
        return 0;
    memcpy(buf, good, ngood);
    size_t n = ngood, i = 0;
    for (; i + 4 <= size; i += 4) {
        size_t at = ((size_t)data[i] << 16 | (size_t)data[i + 1] << 8 | data[i + 2]) % ngood;
        buf[at] ^= data[i + 3] ? data[i + 3] : 0xFF;
    }
    if (i < size)
        n = ngood * data[i] / 256;
    FILE *f = fopen(partial, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
        zz_xlayout L = layout();
        zz_xwriter *w = NULL;
        uint8_t done[P * S * R];
        char err[1024];
        if (zz_xwriter_open(&w, out, &L, 1, done, err, sizeof err) == ZZ_OK)
            zz_xwriter_close(w, 0);
    }
    unlink(partial);
    free(buf);
    return 0;
}
