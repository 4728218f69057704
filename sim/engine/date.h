/* Calendar dates <-> days, proleptic Gregorian, no time zones: a scenario's
 * clock is days since its start date. */
#ifndef ZZ_DATE_H
#define ZZ_DATE_H
#include <stdint.h>

/* Parses "YYYY-MM-DD" strictly (valid month and day). 0 on success. */
int zz_date_parse(const char *s, int64_t *days_since_epoch);
/* Days since 1970-01-01 of a civil date, and back. */
int64_t zz_days_from_civil(int y, int m, int d);
void zz_civil_from_days(int64_t z, int *y, int *m, int *d);
/* Formats days since epoch as "YYYY-MM-DD" into buf (>= 11 bytes). */
void zz_date_format(int64_t days, char *buf);
/* Observation times: the start (0) and each month end after it up to the
 * horizon, in days since start. Returns the count; fills out if non-NULL. */
int zz_month_ends(int64_t start_day, double horizon, double *out);
#endif
