/*
 * sim/engine/, the bottom floor (docs/architecture.md). It offers what a
 * discrete-event simulation needs and that knows nothing of firms, policy,
 * scripts or files: this event queue and its clock, counter-based random
 * streams (rng.h: the kinds are the callers'), calendar dates (date.h),
 * escaping text echoed in messages (escape.h), the interrupt flag
 * (interrupt.h) and growing arrays (grow.h). It may include the C library,
 * GSL and Random123, and nothing of sim/ outside engine/.
 *
 * The event queue: a two-level calendar queue with a sorted front.
 *
 * A discrete-event simulation never schedules into the past, and most of
 * what it schedules (the next review of a firm) lands some typical delay
 * ahead. Time is cut into fine buckets of width w, about 32 events each
 * near the front, grouped into windows of 1024 buckets:
 *   - an event in the current window is appended to its fine bucket; the
 *     window's 1024 buckets stay in cache;
 *   - a later event is appended to its window's coarse bin (a ring of bins
 *     spanning four typical delays; events further ahead wait a lap);
 *   - when the clock enters a window, its coarse bin is spread into the
 *     fine buckets; when it reaches a fine bucket, the bucket's events move
 *     into the front array and are sorted once; events scheduled into the
 *     bucket being drained are inserted into the front in place.
 * Every event is thus written twice, both times to memory in cache, where
 * a heap pays a cache miss per level and a one-level calendar one per push
 * (at 1M firms: 132 ns a take+push against 170, 250+ for the heap). A bad
 * guess of the delay costs speed, never order.
 *
 * Order is total and deterministic: time, then event kind (so that at one
 * instant an observation sees the state before that instant's scheduled
 * actions), then target id, then generation. Two runs that push the same
 * events therefore take them in the same order on any machine.
 *
 * Firms hold at most one live event each; rescheduling a firm bumps its
 * generation and the stale entry is dropped when it surfaces (lazy
 * deletion), which keeps an entry at 16 bytes.
 */
#ifndef ZZ_QUEUE_H
#define ZZ_QUEUE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zz_event {
    double t;        /* days since start, >= 0                              */
    uint32_t id;     /* firm index, or programme/action/observation index   */
    uint16_t kind;   /* enum zz_event_kind (sim.h)                           */
    uint16_t gen;    /* firm events: the firm's generation when scheduled    */
} zz_event;

typedef struct zz_qbucket {
    zz_event *e;
    uint32_t n, cap;
} zz_qbucket;

typedef struct zz_queue {
    double width;          /* days per fine bucket                           */
    uint64_t nbuckets;     /* fine buckets: one window                       */
    zz_qbucket *bucket;    /* [nbuckets]                                     */
    uint64_t ncoarse;      /* coarse bins, one window each, a power of two   */
    zz_qbucket *coarse;    /* [ncoarse]                                      */
    uint64_t cur_window;   /* window the fine buckets hold                   */
    uint64_t cur;          /* absolute index of the fine bucket in front     */
    zz_event *front;       /* its events, sorted; taken from front_pos       */
    size_t front_n, front_pos, front_cap;
    size_t n;              /* events pending in all                          */
} zz_queue;

/* `expected` events pending at a time, `delay` the typical days between a
 * push and its take: together they set the bucket width. */
/* 1 if a comes after b in the queue's order (time, kind, id, generation). */
int zz_event_after(const zz_event *a, const zz_event *b);

int zz_queue_init(zz_queue *q, size_t expected, double delay);
void zz_queue_free(zz_queue *q);
/* Schedules e; e.t must not be earlier than the last event taken. */
int zz_queue_push(zz_queue *q, zz_event e);
/* Removes the earliest event into *e: 1, or 0 if the queue is empty, or
 * -1 if it ran out of memory reorganising itself. */
int zz_queue_take(zz_queue *q, zz_event *e);
size_t zz_queue_size(const zz_queue *q);
/* The next event if it is already in the sorted front (else NULL), for
 * prefetching what it will touch; it stays in the queue. */
const zz_event *zz_queue_peek_loaded(const zz_queue *q);

#endif
