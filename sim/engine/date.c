#include "engine/date.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's civil-date algorithms: exact for the proleptic
 * Gregorian calendar over any range we care about. */
int64_t zz_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void zz_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dm[m - 1] + (m == 2 && leap);
}

int zz_date_parse(const char *s, int64_t *out)
{
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return -1;
    if (s[4] != '-' || s[7] != '-' || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return -1;
    *out = zz_days_from_civil(y, m, d);
    return 0;
}

void zz_date_format(int64_t days, char *buf)
{
    int y, m, d;
    zz_civil_from_days(days, &y, &m, &d);
    /* y, m, d are in range by construction; the masks tell the compiler */
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u, (unsigned)d % 32u);
}

int zz_month_ends(int64_t start_day, double horizon, double *out)
{
    int n = 0, y, m, d;
    if (out)
        out[n] = 0;
    n++;
    zz_civil_from_days(start_day, &y, &m, &d);
    for (;;) {
        /* the last day of the current month, observed at its end (day+1) */
        int64_t end = zz_days_from_civil(y, m, days_in_month(y, m)) + 1 - start_day;
        if (end > horizon + 1e-9)
            break;
        if (end > 0) {
            if (out)
                out[n] = (double)end;
            n++;
        }
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return n;
}
