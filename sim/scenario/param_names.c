/*
 * What every file of the parameter registry uses and that uses none of
 * them: the constant name tables, messages that name a bad name and offer
 * the nearest, splitting a choice list, trimming --set text.
 */
#include "scenario/params.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario/aliases.h"
#include "scenario/params_internal.h"
#include "scenario/suggest.h"
#include "zhizao/zhizao.h"

const char *const zz_size_names[ZZ_NSIZES] = {"micro", "small", "medium", "large"};
const char *const zz_component_names[ZZ_NCOMPONENTS] = {"compute", "model", "data",
                                                        "integration", "other"};
const char *const zz_state_names[ZZ_NSTATES] = {"none", "implementing", "adopted", "scaled"};
const char *const zz_rule_names[3] = {"economic", "bass", "lua"};

void zz_pi_fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* "'Jinnan' is not a city; did you mean 'Jinan'? valid: Jinan, Qingdao, ..." */
int zz_pi_bad_name(char *msg, size_t len, const char *item, const char *what,
                   const char *const *names, int n)
{
    zz_pi_fmt(msg, len, "'%s' is not %s; ", item, what);
    zz_suggest(msg, len, item, names, n, NULL, "did you mean '%s'? ");
    size_t at = strlen(msg);
    zz_pi_fmt(msg + at, len - at, "valid: ");
    zz_join_names(msg, len, names, n);
    return ZZ_SCENARIO;
}

int zz_pi_find_name(const char *item, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(item, names[i]) == 0)
            return i;
    /* 济南 for Jinan, 电子 for electronics (scenario/aliases.c) */
    const char *en = zz_name_alias(item);
    return en ? zz_pi_find_name(en, names, n) : -1;
}

/* The choices of a CHOICE parameter as an array of words (at most 8). */
int zz_pi_split_choices(const char *choices, char words[8][24], const char *ptrs[8])
{
    int n = 0;
    for (const char *s = choices; *s && n < 8; n++) {
        size_t w = strcspn(s, "|");
        snprintf(words[n], sizeof words[n], "%.*s", (int)w, s);
        ptrs[n] = words[n];
        s += w + (s[w] == '|');
    }
    return n;
}

char *zz_pi_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}
