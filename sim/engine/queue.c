#include "engine/queue.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static inline uint64_t bucket_of(const zz_queue *q, double t)
{
    return (uint64_t)(t / q->width);
}

int zz_queue_init(zz_queue *q, size_t expected, double delay)
{
    memset(q, 0, sizeof *q);
    (void)expected;
    /* About 32 events a bucket (buckets sort fast when small), and a ring
     * four typical delays long so that few events wait a whole lap. */
    double per_delay = expected > 64 ? (double)expected / 32 : 4;
    uint64_t r = 1024;
    while ((double)r < 4 * per_delay && r < (1ull << 24))
        r <<= 1;
    q->nbuckets = r;
    q->width = 4 * (delay > 0 ? delay : 30.0) / (double)r;
    q->bucket = calloc(q->nbuckets, sizeof *q->bucket);
    return q->bucket ? 0 : -1;
}

void zz_queue_free(zz_queue *q)
{
    for (uint64_t i = 0; q->bucket && i < q->nbuckets; i++)
        free(q->bucket[i].e);
    free(q->bucket);
    free(q->front);
    memset(q, 0, sizeof *q);
}

static int grow(zz_event **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    /* small first: most of the ring's buckets hold a few events */
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    zz_event *n = realloc(*p, c * sizeof *n);
    if (!n)
        return -1;
    *p = n;
    *cap = c;
    return 0;
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
    uint64_t b = bucket_of(q, e.t);
    assert(b >= q->cur);
    if (b == q->cur) {
        if (front_insert(q, e))
            return -1;
    } else {
        zz_qbucket *k = &q->bucket[b & (q->nbuckets - 1)];
        if (k->n == k->cap) {
            size_t cap = k->cap;
            if (grow(&k->e, &cap, (size_t)k->n + 1) || cap > UINT32_MAX)
                return -1;
            k->cap = (uint32_t)cap;
        }
        k->e[k->n++] = e;
        q->in_ring++;
    }
    q->n++;
    return 0;
}

/* Quicksort with an insertion-sort finish, the comparison inlined: the
 * buckets are small and sorting them is the queue's main cost. */
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
        /* recurse into the smaller part, loop on the larger */
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

/* Moves the events of absolute bucket `b` into the front and sorts them;
 * events a lap or more later stay in the ring. */
static int load_bucket(zz_queue *q, uint64_t b)
{
    zz_qbucket *k = &q->bucket[b & (q->nbuckets - 1)];
    if (grow(&q->front, &q->front_cap, k->n))
        return -1;
    q->cur = b;
    q->front_n = q->front_pos = 0;
    uint32_t keep = 0;
    for (uint32_t j = 0; j < k->n; j++) {
        if (bucket_of(q, k->e[j].t) == b)
            q->front[q->front_n++] = k->e[j];
        else
            k->e[keep++] = k->e[j];
    }
    k->n = keep;
    /* Every bucket is near the front once a lap and grows to that peak;
     * kept, the ring would hold a lap's peak everywhere (~130 bytes a
     * pending event). An emptied bucket gives its memory back. */
    if (keep == 0) {
        free(k->e);
        k->e = NULL;
        k->cap = 0;
    }
    q->in_ring -= q->front_n;
    sort_events(q->front, q->front_n);
    return 0;
}

/* The earliest pending bucket, by a full scan: only when a whole lap of
 * the ring found nothing (every pending event is far ahead). */
static uint64_t earliest_bucket(const zz_queue *q)
{
    double tmin = INFINITY;
    for (uint64_t i = 0; i < q->nbuckets; i++)
        for (uint32_t j = 0; j < q->bucket[i].n; j++)
            if (q->bucket[i].e[j].t < tmin)
                tmin = q->bucket[i].e[j].t;
    return bucket_of(q, tmin);
}

int zz_queue_take(zz_queue *q, zz_event *e)
{
    if (q->n == 0)
        return 0;
    uint64_t scanned = 0;
    while (q->front_pos == q->front_n) {
        uint64_t next = q->cur + 1;
        if (++scanned > q->nbuckets) {
            next = earliest_bucket(q);
            scanned = 0;
        }
        if (q->bucket[next & (q->nbuckets - 1)].n == 0) {
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
