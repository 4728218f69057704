#include "engine/queue.h"

#include <math.h>
#include <stdlib.h>

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

int zz_queue_init(zz_queue *q, size_t cap)
{
    q->n = 0;
    q->root_free = 0;
    q->cap = cap < 16 ? 16 : cap;
    q->heap = malloc(q->cap * sizeof *q->heap);
    return q->heap ? 0 : -1;
}

void zz_queue_free(zz_queue *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

static void sift_down(zz_queue *q, size_t i, zz_event e)
{
    zz_event *h = q->heap;
    const size_t n = q->n;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        size_t last = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < last; k++)
            if (before(&h[k], &h[best]))
                best = k;
        if (!before(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void sift_up(zz_queue *q, size_t i, zz_event e)
{
    zz_event *h = q->heap;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* Completes a deferred pop: the last entry moves into the free root. */
static void settle(zz_queue *q)
{
    if (!q->root_free)
        return;
    q->root_free = 0;
    q->n--;
    if (q->n > 0)
        sift_down(q, 0, q->heap[q->n]);
}

int zz_queue_push(zz_queue *q, zz_event e)
{
    if (q->root_free) {
        q->root_free = 0;
        sift_down(q, 0, e);
        return 0;
    }
    if (q->n == q->cap) {
        size_t cap = q->cap * 2;
        zz_event *h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    q->n++;
    sift_up(q, q->n - 1, e);
    return 0;
}

int zz_queue_take(zz_queue *q, zz_event *e)
{
    settle(q);
    if (q->n == 0)
        return 0;
    *e = q->heap[0];
    q->root_free = 1;
    return 1;
}

double zz_queue_next_time(zz_queue *q)
{
    settle(q);
    return q->n ? q->heap[0].t : INFINITY;
}

size_t zz_queue_size(const zz_queue *q)
{
    return q->n - (size_t)q->root_free;
}
