/*
 * The observed figures (data/observed.csv, described in data/README.md):
 * one row per figure, with its value, standard error and source. A
 * calibration moment takes its target from a row by id
 * (moment "x" { ..., data = "eu_ai_hazard_small_2023_2025" }), so each
 * figure is written once, in a file a user can open and check.
 *
 * Only the columns id, value and se are read here; the others (range,
 * unit, definition, source, ...) are for people and for the test that
 * every row has them (tests/python/test_observed_data.py).
 *
 * Which file: the first data/observed.csv found in the calibration file's
 * folder or one of its three parents (so scenarios/calibration.lua finds
 * the project's data/observed.csv, and a user's own folder may carry its
 * own), else the project's file at the path compiled in (ZZ_DATA_FILE,
 * the source tree's data/observed.csv). The Lua file names only a row id,
 * never a path: the sandbox still reads nothing the user chooses.
 */
#ifndef ZZ_OBSERVED_H
#define ZZ_OBSERVED_H

#include <stddef.h>

typedef struct zz_observed_row {
    char id[64];
    double value;
    double se;                /* NaN when the row gives none */
    int line;                 /* 1-based line in the file */
} zz_observed_row;

typedef struct zz_observed zz_observed;

/* Finds the data file for a calibration file at calib_path (above). 0 and
 * the path in out; -1 with a message naming every place tried. */
int zz_observed_locate(const char *calib_path, char *out, size_t outlen, char *err, size_t errlen);

/* Reads and checks the whole file: a header with id, value and se; every
 * line with the header's number of fields; a unique non-empty id; a
 * finite value; an se that is empty or a number > 0. Errors name
 * path:line and the field. ZZ_OK, ZZ_IO, ZZ_SCENARIO or ZZ_NOMEM. */
int zz_observed_open(zz_observed **out, const char *path, char *err, size_t errlen);
void zz_observed_close(zz_observed *o);

/* The row with this id, or NULL. */
const zz_observed_row *zz_observed_find(const zz_observed *o, const char *id);
/* For an unknown id: appends to buf the nearest ids (up to three by edit
 * distance, else up to five sharing its first word, e.g. "eu_"). */
void zz_observed_nearest(const zz_observed *o, const char *id, char *buf, size_t len);

/* The file as read (for the bundle that records what a calibration ran). */
const char *zz_observed_path(const zz_observed *o);
const char *zz_observed_text(const zz_observed *o, size_t *len);

#endif
