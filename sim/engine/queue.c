#include "engine/queue.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/grow.h"

static inline int before(const zz_event *a, const zz_event *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    if (a->id != b->id)
        return a->id < b->id;
    return a->gen < b->gen;
}

int zz_event_after(const zz_event *a, const zz_event *b)
{
    return before(b, a);
}

/* zz_grow starts small (8), which suits buckets: most hold a few events */
static int grow(zz_event **p, size_t *cap, size_t need)
{
    zz_event *n = zz_grow(*p, cap, need, sizeof *n);
    if (!n)
        return -1;
    *p = n;
    return 0;
}

static int append(zz_qbucket *k, zz_event e)
{
    if (k->n == k->cap) {
        size_t cap = k->cap;
        if (grow(&k->e, &cap, (size_t)k->n + 1) || cap > UINT32_MAX)
            return -1;
        k->cap = (uint32_t)cap;
    }
    k->e[k->n++] = e;
    return 0;
}

#define FINE 1024 /* fine buckets in the window; their headers and tails stay in cache */

int zz_queue_init(zz_queue *q, size_t expected, double delay)
{
    memset(q, 0, sizeof *q);
    double d = delay > 0 ? delay : 30.0;
    double n = expected > 64 ? (double)expected : 64;
    /* near the front about n/d events fall in a day: ~32 to a fine bucket */
    q->width = 32 * d / n;
    double window = FINE * q->width;
    /* coarse bins span four typical delays; later events wait a lap */
    uint64_t c = 8;
    while ((double)c * window < 4 * d && c < (1u << 20))
        c <<= 1;
    q->ncoarse = c;
    q->nbuckets = FINE;
    q->bucket = calloc(FINE, sizeof *q->bucket);
    q->coarse = calloc(c, sizeof *q->coarse);
    return q->bucket && q->coarse ? 0 : -1;
}

void zz_queue_free(zz_queue *q)
{
    for (uint64_t i = 0; q->bucket && i < q->nbuckets; i++)
        free(q->bucket[i].e);
    for (uint64_t i = 0; q->coarse && i < q->ncoarse; i++)
        free(q->coarse[i].e);
    free(q->bucket);
    free(q->coarse);
    free(q->front);
    memset(q, 0, sizeof *q);
}

static inline uint64_t fine_of(const zz_queue *q, double t)
{
    return (uint64_t)(t / q->width);
}

/* The window follows from the fine index, so the two never disagree at a
 * boundary the way two separate divisions of t could. */
static inline uint64_t coarse_of(const zz_queue *q, double t)
{
    return fine_of(q, t) / FINE;
}

/* Inserts into the sorted front, after the events already taken. */
static int front_insert(zz_queue *q, zz_event e)
{
    if (grow(&q->front, &q->front_cap, q->front_n + 1))
        return -1;
    size_t i = q->front_n;
    while (i > q->front_pos && before(&e, &q->front[i - 1]))
        i--;
    memmove(q->front + i + 1, q->front + i, (q->front_n - i) * sizeof e);
    q->front[i] = e;
    q->front_n++;
    return 0;
}

int zz_queue_push(zz_queue *q, zz_event e)
{
    assert(e.t >= 0);
    uint64_t w = coarse_of(q, e.t);
    int rc;
    if (w > q->cur_window) {
        rc = append(&q->coarse[w & (q->ncoarse - 1)], e);
    } else {
        /* the front holds fine bucket `cur` (at the start: bucket 0) */
        uint64_t b = fine_of(q, e.t);
        assert(b >= q->cur);
        if (b == q->cur)
            rc = front_insert(q, e);
        else
            rc = append(&q->bucket[b & (FINE - 1)], e);
    }
    if (!rc)
        q->n++;
    return rc;
}

/* Quicksort with an insertion-sort finish, the comparison inlined: the
 * buckets are small and sorting them is much of the queue's cost. */
static void sort_events(zz_event *a, size_t n)
{
    while (n > 24) {
        zz_event pivot = a[n / 2];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (before(&a[i], &pivot))
                i++;
            while (before(&pivot, &a[j]))
                j--;
            if (i >= j)
                break;
            zz_event t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_events(a, left);
            a += left;
            n -= left;
        } else {
            sort_events(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        zz_event x = a[i];
        size_t j = i;
        while (j > 0 && before(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* The clock enters window `w`: its coarse bin's events (not those a lap
 * later) move into the fine buckets. */
static int enter_window(zz_queue *q, uint64_t w)
{
    q->cur_window = w;
    zz_qbucket *c = &q->coarse[w & (q->ncoarse - 1)];
    uint32_t keep = 0;
    for (uint32_t j = 0; j < c->n; j++) {
        zz_event e = c->e[j];
        if (coarse_of(q, e.t) != w) {
            c->e[keep++] = e;
            continue;
        }
        if (append(&q->bucket[fine_of(q, e.t) & (FINE - 1)], e)) {
            /* out of memory: keep what is left in the coarse bin */
            memmove(c->e + keep, c->e + j, (c->n - j) * sizeof e);
            c->n = keep + (c->n - j);
            return -1;
        }
    }
    /* the bin keeps its array for the next lap */
    c->n = keep;
    return 0;
}

/* Moves fine bucket `b`'s events into the front and sorts them. */
static int load_bucket(zz_queue *q, uint64_t b)
{
    zz_qbucket *k = &q->bucket[b & (FINE - 1)];
    /* The bucket's array becomes the front, and the old front's (all of it
     * taken) the bucket's: nothing is copied, and no array is freed only
     * to be grown again from eight events a window later. */
    zz_event *taken = q->front;
    size_t taken_cap = q->front_cap;
    q->front = k->e;
    q->front_cap = k->cap;
    q->front_n = k->n;
    q->front_pos = 0;
    q->cur = b;
    if (taken_cap > UINT32_MAX) { /* beyond a bucket's count: let it go */
        free(taken);
        taken = NULL;
        taken_cap = 0;
    }
    k->e = taken;
    k->cap = (uint32_t)taken_cap;
    k->n = 0;
    sort_events(q->front, q->front_n);
    return 0;
}

/* The earliest pending event's window, by a full scan of the coarse bins:
 * only when the next windows are all empty. */
static uint64_t earliest_window(const zz_queue *q)
{
    double tmin = INFINITY;
    for (uint64_t i = 0; i < q->ncoarse; i++)
        for (uint32_t j = 0; j < q->coarse[i].n; j++)
            if (q->coarse[i].e[j].t < tmin)
                tmin = q->coarse[i].e[j].t;
    return coarse_of(q, tmin);
}

int zz_queue_take(zz_queue *q, zz_event *e)
{
    if (q->n == 0)
        return 0;
    while (q->front_pos == q->front_n) {
        uint64_t next = q->cur + 1;
        if (next / FINE != q->cur_window) {
            /* the window's fine buckets are all visited: bring in the next
             * window that has events (a full scan if a lap finds none) */
            uint64_t nw = q->cur_window + 1, scanned = 0;
            while (q->coarse[nw & (q->ncoarse - 1)].n == 0 && ++scanned <= q->ncoarse)
                nw++;
            if (scanned > q->ncoarse)
                nw = earliest_window(q);
            if (enter_window(q, nw))
                return -1;
            if (next < nw * FINE)
                next = nw * FINE;
        }
        if (q->bucket[next & (FINE - 1)].n == 0) {
            q->cur = next;
            q->front_n = q->front_pos = 0;
            continue;
        }
        if (load_bucket(q, next))
            return -1;
    }
    *e = q->front[q->front_pos++];
    q->n--;
    return 1;
}

const zz_event *zz_queue_peek_loaded(const zz_queue *q)
{
    return q->front_pos < q->front_n ? &q->front[q->front_pos] : NULL;
}

size_t zz_queue_size(const zz_queue *q)
{
    return q->n;
}
