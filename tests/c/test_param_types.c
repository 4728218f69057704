/*
 * The parameter type rows (params.h) and the "did you mean" helper
 * (suggest.h): every type has a complete row, and for each type a value
 * given as --set text, stored and formatted gives the same text back;
 * suggestions pick the nearest name within the documented distance.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "zhizao/zhizao.h"
#include "scenario/params.h"
#include "scenario/suggest.h"
#include "zz_test.h"

#define NTYPES (ZZ_PT_EXPANSIONS + 1)

/* Room for any block's struct; the START date writes through zz_config. */
static union {
    zz_config cfg;
    zz_compute_cfg compute;
    zz_programme_cfg programme;
    double align;
} scratch;

/* The first registry row of a type (instruments' rows included) that
 * accepts x when x is a number (NAN: any). */
static const zz_param *row_of(int type, double x)
{
    for (int b = 0; b < ZZ_PB_COUNT; b++) {
        const zz_param *p;
        for (int c = 0; (p = zz_param_next(b, -1, &c));) {
            if (p->type != type || (p->flags & (ZZ_PF_DERIVED | ZZ_PF_START)))
                continue;
            if (!isnan(x) && (x < p->lo || x > p->hi || ((p->flags & ZZ_PF_LO_OPEN) && x == p->lo)))
                continue;
            return p;
        }
    }
    return NULL;
}

/* text -> parse_text -> store -> format must give text back. */
static void round_trip(const zz_config *cfg, const zz_param *p, const char *text)
{
    const zz_param_type_row *r = zz_param_type_of(p->type);
    char val[200], msg[200] = "", out[200] = "";
    const char *items[16];
    zz_pvalue v = {ZZ_PV_STRING, 0, val, NULL, 0};
    snprintf(val, sizeof val, "%s", text);
    memset(&scratch, 0, sizeof scratch);
    int rc = r->parse_text(p, val, &v, items, 16, msg, sizeof msg);
    CHECKF(rc == ZZ_OK, "%s: parse '%s': %s", p->field, text, msg);
    if (rc == ZZ_OK) {
        rc = r->store(cfg, p, &scratch, -1, &v, msg, sizeof msg);
        CHECKF(rc == ZZ_OK, "%s: store '%s': %s", p->field, text, msg);
    }
    r->format(out, sizeof out, cfg, p, &scratch, -1);
    CHECKF(strcmp(out, text) == 0, "%s (type %d): '%s' came back as '%s'", p->field, p->type,
           text, out);
    /* zz_param_format is the same row's format */
    char again[200];
    zz_param_format(cfg, p, &scratch, -1, again, sizeof again);
    CHECKF(strcmp(again, out) == 0, "%s: zz_param_format '%s' vs row '%s'", p->field, again, out);
}

static void test_rows_complete(void)
{
    for (int t = 0; t < NTYPES; t++) {
        const zz_param_type_row *r = zz_param_type_of(t);
        CHECKF(r && r->lua && r->expect && r->ref_type && (r->valid || r->valid_fn) &&
                   r->parse_text && r->store && r->format,
               "type %d has an incomplete row", t);
    }
    CHECK(zz_param_type_of(NTYPES) == NULL);
    CHECK(zz_param_type_of(-1) == NULL);
}

static void test_round_trips(void)
{
    zz_config cfg;
    zz_config_defaults(&cfg);
    char two[256];
    const struct {
        int type;
        double x; /* a number the row must accept, NAN: any row */
        const char *text;
    } cases[] = {
        {ZZ_PT_NUMBER, 0.25, "0.25"},
        {ZZ_PT_NUMBER, 1, "1"},
        {ZZ_PT_INTEGER, 3, "3"},
        {ZZ_PT_BOOLEAN, NAN, "true"},
        {ZZ_PT_BOOLEAN, NAN, "false"},
        {ZZ_PT_DATE, NAN, "2027-03-15"},
        {ZZ_PT_STRING, NAN, "abc_1"},
        {ZZ_PT_SIZES, NAN, "micro, large"},
        {ZZ_PT_SIZES, NAN, "all"},
        {ZZ_PT_STATES, NAN, "none, adopted"},
        {ZZ_PT_EXPANSIONS, 5000, "2027-06-01:5000,2028-01-01:3000"},
        {ZZ_PT_EXPANSIONS, 5000, "none"},
    };
    int seen[NTYPES] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const zz_param *p = row_of(cases[i].type, cases[i].x);
        CHECKF(p != NULL, "no row of type %d", cases[i].type);
        if (p) {
            round_trip(&cfg, p, cases[i].text);
            seen[cases[i].type] = 1;
        }
    }
    /* an optional date: "none" */
    for (int b = 0; b < ZZ_PB_COUNT; b++) {
        const zz_param *p;
        for (int c = 0; (p = zz_param_next(b, -1, &c));)
            if (p->type == ZZ_PT_DATE && (p->flags & ZZ_PF_OPTIONAL)) {
                round_trip(&cfg, p, "none");
                b = ZZ_PB_COUNT;
                break;
            }
    }
    /* a choice: its second word */
    const zz_param *p = row_of(ZZ_PT_CHOICE, NAN);
    CHECK(p != NULL);
    if (p) {
        size_t w = strcspn(p->choices, "|");
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)strcspn(p->choices + w + 1, "|"),
                 p->choices + w + 1);
        round_trip(&cfg, p, word);
        seen[ZZ_PT_CHOICE] = 1;
    }
    /* names drawn from the configuration */
    snprintf(two, sizeof two, "%s, %s", cfg.city[0], cfg.city[2]);
    if ((p = row_of(ZZ_PT_CITIES, NAN)))
        round_trip(&cfg, p, two), seen[ZZ_PT_CITIES] = 1;
    snprintf(two, sizeof two, "%s, %s", cfg.industry[1], cfg.industry[3]);
    if ((p = row_of(ZZ_PT_INDUSTRIES, NAN)))
        round_trip(&cfg, p, two), seen[ZZ_PT_INDUSTRIES] = 1;
    if ((p = row_of(ZZ_PT_CITY, NAN)))
        round_trip(&cfg, p, cfg.city[1]), seen[ZZ_PT_CITY] = 1;
    if ((p = row_of(ZZ_PT_INDUSTRY, NAN)))
        round_trip(&cfg, p, cfg.industry[2]), seen[ZZ_PT_INDUSTRY] = 1;
    for (int t = 0; t < NTYPES; t++)
        CHECKF(seen[t], "type %d has no round trip", t);
}

static void test_bad_text(void)
{
    zz_config cfg;
    zz_config_defaults(&cfg);
    const zz_param *p = row_of(ZZ_PT_NUMBER, 0.25);
    const zz_param_type_row *r = zz_param_type_of(ZZ_PT_NUMBER);
    char val[] = "0.2x", msg[256] = "";
    zz_pvalue v = {ZZ_PV_STRING, 0, val, NULL, 0};
    CHECK(p && r->parse_text(p, val, &v, NULL, 0, msg, sizeof msg) == ZZ_SCENARIO);
    CHECKF(strcmp(msg, "expected a number, got '0.2x'") == 0, "%s", msg);
    p = row_of(ZZ_PT_CITY, NAN);
    v = (zz_pvalue){ZZ_PV_STRING, 0, "Jinnan", NULL, 0};
    CHECK(p && zz_param_type_of(p->type)->store(&cfg, p, &scratch, -1, &v, msg, sizeof msg) ==
                   ZZ_SCENARIO);
    CHECKF(strstr(msg, "'Jinnan' is not a city; did you mean 'Jinan'? valid: Jinan, ") == msg,
           "%s", msg);
}

static void test_suggest(void)
{
    const char *const cities[] = {"Jinan", "Qingdao", "Yantai", "Weifang"};
    const char *const shown[] = {"city.Jinan", "city.Qingdao", "city.Yantai", "city.Weifang"};
    CHECK(zz_nearest("Jinnan", cities, 4) == 0);  /* one insertion */
    CHECK(zz_nearest("qingdao", cities, 4) == 1); /* case does not count */
    CHECK(zz_nearest("Yantia", cities, 4) == 2);  /* a swap is two edits, within 2 for 6 letters */
    CHECK(zz_nearest("Shanghai", cities, 4) == -1);
    CHECK(zz_nearest("abc", (const char *const[]){"abd", "abe"}, 2) == 0); /* tie: earlier */
    CHECK(zz_nearest("abc", (const char *const[]){"axy"}, 1) == -1);       /* 2 edits > 1 */
    CHECK(zz_nearest("abcd", (const char *const[]){"axyd"}, 1) == 0);      /* 4 letters: 2 */
    CHECK(zz_nearest("x", cities, 0) == -1);

    char buf[64] = "no city 'Jinnan'";
    CHECK(zz_suggest(buf, sizeof buf, "Jinnan", cities, 4, NULL, "; did you mean '%s'?") == 0);
    CHECKF(strcmp(buf, "no city 'Jinnan'; did you mean 'Jinan'?") == 0, "%s", buf);
    snprintf(buf, sizeof buf, "x");
    CHECK(zz_suggest(buf, sizeof buf, "Weifan", cities, 4, shown, " (%s)") == 3);
    CHECKF(strcmp(buf, "x (city.Weifang)") == 0, "%s", buf);
    snprintf(buf, sizeof buf, "x");
    CHECK(zz_suggest(buf, sizeof buf, "Shanghai", cities, 4, NULL, " %s") == -1);
    CHECK(strcmp(buf, "x") == 0);

    char list[16] = "";
    zz_join_names(list, sizeof list, cities, 4);
    CHECKF(strcmp(list, "Jinan, Qingd...") == 0, "%s", list);
}

int main(void)
{
    test_rows_complete();
    test_round_trips();
    test_bad_text();
    test_suggest();
    return zz_test_finish();
}
