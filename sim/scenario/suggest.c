/*
 * "Did you mean" (see suggest.h).
 */
#include "scenario/suggest.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int lev(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 127 || lb > 127)
        return 1000;
    int row[128], prev;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

int zz_nearest(const char *word, const char *const *cands, int n)
{
    size_t len = strlen(word);
    int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3, best = -1, bestd = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = lev(word, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = i;
        }
    }
    return best;
}

int zz_suggest(char *buf, size_t len, const char *word, const char *const *cands, int n,
               const char *const *shown, const char *form)
{
    int near = zz_nearest(word, cands, n);
    size_t at = strlen(buf);
    if (near >= 0 && at < len)
        snprintf(buf + at, len - at, form, (shown ? shown : cands)[near]);
    return near;
}

void zz_join_names(char *buf, size_t len, const char *const *names, int n)
{
    size_t at = strlen(buf);
    for (int i = 0; i < n && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= len - at) {
            if (len >= 4)
                memcpy(buf + len - 4, "...", 4);
            return;
        }
        at += (size_t)w;
    }
}
