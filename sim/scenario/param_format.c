/*
 * A parameter's value as text that --set reads back, and its valid range
 * or choices as the reference shows them: the format and valid columns of
 * the type rows (param_types.c).
 */
#include "scenario/params.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "policy/instrument.h"
#include "scenario/params_internal.h"
#include "zhizao/zhizao.h"

/* Whole numbers as such (budgets in yuan read better as 600000000 than
 * 6e+08); otherwise the shortest text that reads back to the same double. */
void zz_pi_fmt_number(char *buf, size_t len, double x)
{
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, len, "%.0f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static void fmt_mask(char *buf, size_t len, const zz_config *cfg, int type, uint64_t mask)
{
    const char *ptrs[ZZ_MAX_CITIES], *what;
    const char *const *names = NULL;
    int n = zz_pi_names_of(cfg, type, &names, &what, ptrs);
    buf[0] = '\0';
    if (mask == 0) {
        snprintf(buf, len, "all");
        return;
    }
    const char *sel[ZZ_MAX_CITIES];
    int k = 0;
    for (int i = 0; i < n; i++)
        if (mask >> i & 1u)
            sel[k++] = names[i];
    zz_join_names(buf, len, sel, k);
}


void zz_pi_fmt_num(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                   const void *base, int sub)
{
    (void)cfg;
    zz_pi_fmt_number(buf, len, ((const double *)((const char *)base + p->offset))[sub < 0 ? 0 : sub]);
}

void zz_pi_fmt_int(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                   const void *base, int sub)
{
    (void)cfg, (void)sub;
    const char *at = (const char *)base + p->offset;
    if (p->size == sizeof(int64_t)) {
        int64_t x;
        memcpy(&x, at, sizeof x);
        snprintf(buf, len, "%lld", (long long)x);
    } else {
        snprintf(buf, len, "%d", *(const int *)at);
    }
}

void zz_pi_fmt_bool(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub)
{
    (void)cfg, (void)sub;
    const char *at = (const char *)base + p->offset;
    snprintf(buf, len, "%s", (p->size == 1 ? *(const uint8_t *)at : *(const int *)at) ? "true" : "false");
}

void zz_pi_fmt_date_row(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                        const void *base, int sub)
{
    (void)sub;
    if (p->flags & ZZ_PF_START) {
        snprintf(buf, len, "%s", cfg->start);
        return;
    }
    double d = *(const double *)((const char *)base + p->offset);
    if (d < 0 && (p->flags & ZZ_PF_OPTIONAL)) {
        snprintf(buf, len, "none");
        return;
    }
    char date[11];
    zz_date_format(cfg->start_day + (int64_t)floor(d), date);
    snprintf(buf, len, "%s", date);
}

void zz_pi_fmt_string(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                      const void *base, int sub)
{
    (void)cfg, (void)sub;
    snprintf(buf, len, "%s", (const char *)base + p->offset);
}

void zz_pi_fmt_choice(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                      const void *base, int sub)
{
    (void)cfg, (void)sub;
    char words[8][24];
    const char *ptrs[8];
    int n = zz_pi_split_choices(p->choices, words, ptrs), k = *(const int *)((const char *)base + p->offset);
    snprintf(buf, len, "%s", k >= 0 && k < n ? ptrs[k] : "?");
}

void zz_pi_fmt_list(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub)
{
    (void)sub;
    const char *at = (const char *)base + p->offset;
    uint64_t m;
    if (p->size == sizeof(uint64_t))
        memcpy(&m, at, sizeof m);
    else
        m = *(const uint8_t *)at;
    fmt_mask(buf, len, cfg, p->type, m);
}

void zz_pi_fmt_one_name(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                        const void *base, int sub)
{
    (void)sub;
    const char *ptrs[ZZ_MAX_CITIES], *what = "";
    const char *const *names = NULL;
    int n = zz_pi_names_of(cfg, p->type, &names, &what, ptrs), k = *(const int *)((const char *)base + p->offset);
    snprintf(buf, len, "%s", k >= 0 && k < n ? names[k] : "?");
}

void zz_pi_fmt_expansions(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                          const void *base, int sub)
{
    (void)p, (void)sub;
    const zz_compute_cfg *c = base;
    size_t at_ = 0;
    snprintf(buf, len, "none");
    for (int k = 0; k < c->nexpansions && at_ < len; k++) {
        char date[11], pf[32];
        zz_date_format(cfg->start_day + (int64_t)floor(c->expansion_day[k]), date);
        zz_pi_fmt_number(pf, sizeof pf, c->expansion_pflops[k]);
        at_ += (size_t)snprintf(buf + at_, len - at_, "%s%s:%s", k ? "," : "", date, pf);
    }
}

/* The reference's "valid" column, where it depends on the row. */
void zz_pi_valid_range(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    snprintf(buf, len, "%c%s, %s]", p->flags & ZZ_PF_LO_OPEN ? '(' : '[', lo, hi);
}

void zz_pi_valid_date(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    snprintf(buf, len, "\"YYYY-MM-DD\"%s", p->flags & ZZ_PF_OPTIONAL ? ", or false for none" : "");
}

void zz_pi_valid_string(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    if (p->flags & ZZ_PF_PATH)
        snprintf(buf, len, "a CSV file beside or below the scenario; \"\" for synthetic firms");
    else
        snprintf(buf, len, "letters, digits, `_` `-` `.`; at most %zu characters", p->size - 1);
}

void zz_pi_valid_choice(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi)
{
    (void)lo, (void)hi;
    for (const char *s = p->choices; *s && strlen(buf) + 8 < len; s++) {
        size_t at = strlen(buf);
        if (*s == '|')
            snprintf(buf + at, len - at, ", ");
        else
            buf[at] = *s, buf[at + 1] = '\0';
    }
}

void zz_pi_valid_expansions(char *buf, size_t len, const zz_param *p, const char *lo,
                            const char *hi)
{
    (void)p;
    snprintf(buf, len, "at most %d dates; PFLOPS in [%s, %s]", ZZ_MAX_EXPANSIONS, lo, hi);
}
