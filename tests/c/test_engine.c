/* The engine's parts: event order, random streams, calendar. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "engine/grow.h"
#include "engine/hash.h"
#include "engine/queue.h"
#include "engine/rng.h"
#include "model/streams.h"
#include "zz_test.h"

static void queue_orders_events_totally(void)
{
    zz_queue q;
    CHECK(zz_queue_init(&q, 4, 1.0) == 0);
    /* ties in time resolved by kind, then id, then generation */
    zz_event in[] = {{5.0, 3, 2, 0}, {1.0, 9, 1, 0}, {5.0, 1, 2, 0}, {5.0, 7, 0, 0},
                     {0.5, 2, 4, 1}, {5.0, 1, 2, 3}, {2.0, 0, 0, 0}};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++)
        CHECK(zz_queue_push(&q, in[i]) == 0);
    double expect_t[] = {0.5, 1.0, 2.0, 5.0, 5.0, 5.0, 5.0};
    unsigned expect_id[] = {2, 9, 0, 7, 1, 1, 3};
    unsigned expect_gen[] = {1, 0, 0, 0, 0, 3, 0};
    zz_event e;
    for (int i = 0; i < 7; i++) {
        CHECK(zz_queue_take(&q, &e));
        CHECKF(e.t == expect_t[i] && e.id == expect_id[i] && e.gen == expect_gen[i],
               "pop %d: t=%g id=%u gen=%u", i, e.t, e.id, e.gen);
    }
    CHECK(!zz_queue_take(&q, &e));
    zz_queue_free(&q);
}

/* Many random pushes interleaved with take-then-push (the engine's common
 * pattern) come out sorted. */
static void queue_stays_sorted_under_churn(void)
{
    zz_queue q;
    zz_queue_init(&q, 16, 1.0);
    srand(7);
    for (uint32_t i = 0; i < 5000; i++)
        zz_queue_push(&q, (zz_event){rand() / (double)RAND_MAX, i, 6, 0});
    double last = -1;
    int sorted = 1, n = 0;
    zz_event e;
    while (zz_queue_take(&q, &e)) {
        sorted &= e.t >= last;
        last = e.t;
        n++;
        if (n < 20000)
            zz_queue_push(&q, (zz_event){e.t + rand() / (double)RAND_MAX, e.id, 6, 0});
    }
    CHECK(sorted);
    CHECKF(n == 20000 + 4999, "popped %d", n);
    zz_queue_free(&q);
}

/* The queue's hard cases at once: pushes at the current instant, ties,
 * tiny and typical delays, jumps beyond the coarse bins' lap, and long
 * empty stretches. Times taken never go back, every event comes out, and
 * ties at one time come out in (kind, id, generation) order unless pushed
 * at that instant after a larger one was taken. */
static void queue_hard_cases(void)
{
    zz_queue q;
    CHECK(zz_queue_init(&q, 2000, 30) == 0);
    srand(11);
    long pushed = 0, taken = 0, backwards = 0;
    for (uint32_t i = 0; i < 2000; i++, pushed++)
        zz_queue_push(&q, (zz_event){(double)(rand() % 200), i, (uint16_t)(rand() % 5), 0});
    zz_event e, last = {0, 0, 0, 0};
    while (zz_queue_take(&q, &e) > 0) {
        if (taken && e.t < last.t)
            backwards++;
        last = e;
        taken++;
        if (pushed >= 400000)
            continue;
        int r = rand() % 20;
        double d = r < 3 ? 0
                 : r < 6 ? rand() / (double)RAND_MAX * 0.01
                 : r < 17 ? -30 * log1p(-rand() / (RAND_MAX + 1.0))
                 : r < 19 ? 400.0 * rand() / (double)RAND_MAX
                          : 5000.0 + 1000.0 * rand() / (double)RAND_MAX;
        zz_queue_push(&q, (zz_event){e.t + d, (uint32_t)(rand() % 2000), (uint16_t)(rand() % 5), 0});
        pushed++;
    }
    CHECKF(backwards == 0, "%ld events came out earlier than the one before", backwards);
    CHECKF(taken == pushed, "pushed %ld, taken %ld", pushed, taken);
    CHECK(zz_queue_size(&q) == 0);
    zz_queue_free(&q);
}

static void streams_are_addressed_not_sequenced(void)
{
    zz_rng a, b, c;
    zz_rng_init(&a, 42, 3);
    zz_rng_init(&b, 42, 3);
    zz_rng_init(&c, 42, 4);
    /* the same address gives the same number whatever was drawn before */
    double x = zz_rng_uniform(&a, 1000, ZZ_RNG_DECIDE, 17);
    for (int i = 0; i < 100; i++)
        zz_rng_uniform(&b, (uint32_t)i, ZZ_RNG_DECIDE, (uint32_t)i);
    CHECK(zz_rng_uniform(&b, 1000, ZZ_RNG_DECIDE, 17) == x);
    CHECK(zz_rng_uniform(&c, 1000, ZZ_RNG_DECIDE, 17) != x);
    CHECK(zz_rng_uniform(&a, 1000, ZZ_RNG_REVIEW, 17) != x);
    CHECK(zz_rng_uniform(&a, 1000, ZZ_RNG_DECIDE, 18) != x);
    /* uniforms are in (0, 1) and have mean 1/2 */
    double sum = 0;
    int inside = 1;
    for (uint32_t k = 0; k < 100000; k++) {
        double u = zz_rng_uniform(&a, k, ZZ_RNG_DECIDE, 0);
        inside &= u > 0 && u < 1;
        sum += u;
    }
    CHECK(inside);
    CHECK_NEAR(sum / 100000, 0.5, 5 * sqrt(1.0 / 12 / 100000));
    /* through GSL: repositioning reproduces the sequence */
    double g1 = gsl_rng_uniform(zz_rng_at(&a, 5, ZZ_RNG_IMPLEMENT, 2));
    double g2 = gsl_rng_uniform(a.gsl);
    CHECK(gsl_rng_uniform(zz_rng_at(&b, 5, ZZ_RNG_IMPLEMENT, 2)) == g1);
    CHECK(gsl_rng_uniform(b.gsl) == g2);
    zz_rng_free(&a);
    zz_rng_free(&b);
    zz_rng_free(&c);
}

static void calendar(void)
{
    int64_t d;
    CHECK(zz_date_parse("2026-01-01", &d) == 0 && d == 20454);
    CHECK(zz_date_parse("2028-02-29", &d) == 0);
    CHECK(zz_date_parse("2027-02-29", &d) != 0);
    CHECK(zz_date_parse("2026-13-01", &d) != 0);
    CHECK(zz_date_parse("2026-1-01", &d) != 0);
    CHECK(zz_date_parse("yesterday", &d) != 0);
    char buf[11];
    zz_date_format(20454 + 365, buf);
    CHECKF(!strcmp(buf, "2027-01-01"), "%s", buf);
    /* three years from 2026-01-01: the start and 36 month ends */
    double t[64];
    int n = zz_month_ends(20454, 1096, t);
    CHECKF(n == 37, "n = %d", n);
    CHECK(t[0] == 0 && t[1] == 31 && t[2] == 59 && t[12] == 365 && t[36] == 1096);
}

/* zz_grow keeps what the array held, gives room for what is asked, and
 * refuses a size that does not fit in size_t rather than wrapping round. */
static void grow(void)
{
    int *a = NULL;
    size_t cap = 0;
    int moves = 0; /* capacity changes: doubling makes them few */
    for (size_t n = 0; n < 1000; n++) {
        size_t had = cap;
        int *t = zz_grow(a, &cap, n + 1, sizeof *a);
        CHECK(t != NULL && cap >= n + 1);
        moves += cap != had;
        a = t;
        a[n] = (int)n * 3;
    }
    CHECKF(moves <= 10, "%d reallocations for 1000 elements", moves);
    int kept = 1;
    for (size_t n = 0; n < 1000; n++)
        kept &= a[n] == (int)n * 3;
    CHECK(kept);
    CHECK(cap < 4000); /* not wildly more than asked */
    size_t before = cap;
    CHECK(zz_grow(a, &cap, 10, sizeof *a) == a && cap == before);
    CHECK(zz_grow(a, &cap, SIZE_MAX / 2, sizeof *a) == NULL && cap == before);
    free(a);
}

/* zz_fnv is FNV-1a: from the published offset basis it gives the
 * published test vectors. The project's own start, ZZ_FNV0, is not that
 * basis (see engine/hash.h) and must not change: result files store
 * digests made from it. zz_fnv_str counts the NUL, so that two strings
 * hashed in a row do not collide with their concatenation. */
static void fnv(void)
{
    const uint64_t basis = 0xcbf29ce484222325ull; /* 14695981039346656037 */
    CHECK(zz_fnv(basis, "a", 1) == 0xaf63dc4c8601ec8cull);
    CHECK(zz_fnv(basis, "foobar", 6) == 0x85944171f73967e8ull);
    CHECK(ZZ_FNV0 == 1469598103934665603ull);
    CHECK(zz_fnv_str(ZZ_FNV0, "foobar") == zz_fnv(ZZ_FNV0, "foobar", 7));
    CHECK(zz_fnv_str(ZZ_FNV0, NULL) == zz_fnv_str(ZZ_FNV0, ""));
    CHECK(zz_fnv_str(zz_fnv_str(ZZ_FNV0, "ab"), "c") != zz_fnv_str(zz_fnv_str(ZZ_FNV0, "a"), "bc"));
    /* in steps or at once: the same */
    CHECK(zz_fnv(zz_fnv(ZZ_FNV0, "foo", 3), "bar", 3) == zz_fnv(ZZ_FNV0, "foobar", 6));
}

int main(void)
{
    grow();
    fnv();
    queue_orders_events_totally();
    queue_stays_sorted_under_churn();
    queue_hard_cases();
    streams_are_addressed_not_sequenced();
    calendar();
    return zz_test_finish();
}
