/*
 * Firms' fixed attributes, shared read-only by every replication of an
 * ensemble (the population is drawn once per scenario seed; replications
 * differ in the adoption process, not in who the firms are). Dynamic state
 * lives per replication in sim.h.
 *
 * Stored as a structure of arrays: the hot loop of the `bass` rule touches
 * only city/industry, and the economic rule reads a few floats per review.
 */
#ifndef ZZ_POPULATION_H
#define ZZ_POPULATION_H

#include <stdint.h>
#include "../config.h"
#include "zhizao/zhizao.h"

#define ZZ_NO_LEADER UINT32_MAX

/* Revenue bands of the size classes, yuan per year (2017 SME standard for
 * industry, revenue criterion): micro < 3m <= small < 20m <= medium < 400m
 * <= large. 规上 (above designated size) is revenue >= 20m. Shared by the
 * synthetic generator and the CSV loader (size and gsz derived from revenue). */
#define ZZ_REVENUE_SMALL 3e6
#define ZZ_REVENUE_MEDIUM 20e6
#define ZZ_REVENUE_LARGE 400e6
#define ZZ_REVENUE_GSZ 20e6

static inline int zz_size_of_revenue(double revenue)
{
    return revenue >= ZZ_REVENUE_LARGE ? ZZ_LARGE
         : revenue >= ZZ_REVENUE_MEDIUM ? ZZ_MEDIUM
         : revenue >= ZZ_REVENUE_SMALL ? ZZ_SMALL : ZZ_MICRO;
}

/* firm flags */
enum {
    ZZ_F_GSZ = 1,          /* above designated size (规上)                     */
    ZZ_F_CREDIT = 2,       /* has access to bank credit                       */
    ZZ_F_LEADER = 4,       /* chain leader (链主)                              */
    ZZ_F_ADOPTED0 = 8,     /* adopted at the start                            */
    ZZ_F_AWARE0 = 16       /* aware at the start                              */
};

struct zz_population {
    char errmsg[1024];        /* why zz_population_open failed, else ""  */
    int64_t n;
    uint8_t *city;         /* index into cfg city names                      */
    uint8_t *industry;     /* index into cfg industry names                  */
    uint8_t *size;         /* enum zz_size                                   */
    uint8_t *flags;        /* ZZ_F_*                                         */
    float *revenue;        /* yuan per year                                  */
    float *readiness;      /* digital readiness in [0, 1]                    */
    float *liquidity;      /* yuan available for investment                  */
    float *hurdle;         /* required value over cost (dimensionless)       */
    float *capability;     /* contest score base, [0, 1]                     */
    float *return_z;       /* the firm's project-return draw, N(0, 1): its gain
                            * is scaled by exp(s z), s = decision.return_sd */
    uint32_t *leader;      /* index of the firm's chain leader or ZZ_NO_LEADER */
    /* the firms from the most capable down (ties by index): screens that
     * take the best firms (contest bids, equity) walk it from the top and
     * stop, instead of scanning and sorting the field each time          */
    uint32_t *by_capability;
    /* counts per cell city x industry x size, for output and peer shares    */
    int ncities, nindustries;
    int32_t *cell_firms;       /* [city][industry][size]                     */
    int32_t *cell_firms_gsz;   /* same, 规上 firms only                        */
    /* what the loader left out, said once ("firms.csv:1: ignored columns
     * the model does not use: 'employees'"); "" when nothing was          */
    char note[512];
};

/* index of cell (city, industry, size) in the [city][industry][size] arrays */
static inline int64_t zz_cell(const struct zz_population *p, int c, int i, int s)
{
    return ((int64_t)c * p->nindustries + i) * ZZ_NSIZES + s;
}

/* Synthetic Shandong-like population (population.c). Draws from the
 * scenario seed's own population stream, so it is the same for every
 * replication and thread count. */
/* The firms cfg asks for: synthetic (with `partners` synthetic supplier
 * partners per chain leader: zz_config_chain_partners), or cfg's CSV file
 * (population.file, relative to the scenario's folder). */
int zz_population_make(struct zz_population **out, const zz_config *cfg, int partners,
                       char *err, size_t errlen);
int zz_population_synthetic(struct zz_population **out, const zz_config *cfg, int partners,
                            char *err, size_t errlen);
/* Firms from a CSV file (population_csv.c); documented columns in docs/. */
int zz_population_csv(struct zz_population **out, const zz_config *cfg,
                      const char *path, char *err, size_t errlen);
/* Allocates arrays for n firms (all zero) and the cell tables. */
struct zz_population *zz_population_alloc(int64_t n, int ncities, int nindustries);
/* Recomputes cell_firms / cell_firms_gsz from the per-firm arrays. */
void zz_population_count(struct zz_population *p);
/* Sorts the firms by capability into by_capability: 0, or -1 out of memory. */
int zz_population_order(struct zz_population *p);

#endif
